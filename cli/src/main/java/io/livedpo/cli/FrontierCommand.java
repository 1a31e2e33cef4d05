package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.simulator.HiddenReward;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import io.livedpo.simulator.SimulatedUser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The reward–KL frontier of a base model under the simulated users: how far any recipe could get at each KL, so a
 * recipe's point in {@code simulate-offline} can be read against it (docs/LEARNING.md).
 */
@Command(mixinStandardHelpOptions = true, name = "frontier",
        description = "Sample N answers per prompt from the base and print, as JSON lines, the users' expected"
                + " thumbs-up of best-of-m selection and of the KL-optimal policy at each beta, with their KL.")
final class FrontierCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR")
    Path model;

    @Option(names = "--samples", defaultValue = "128", paramLabel = "N", description = "answers per prompt")
    int samples;

    @Option(names = "--prompts", defaultValue = "100", paramLabel = "N")
    int prompts;

    @Option(names = "--beta", split = ",", defaultValue = "0.25,0.5,0.75,1,1.5,2,3", paramLabel = "B,...")
    List<Double> betas;

    @Option(names = "--seed", defaultValue = "7", paramLabel = "S")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (samples < 1 || prompts < 1) {
            throw new BadInputException("--samples and --prompts must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (PolicyModel base = PolicyModel.open(ModelOptions.existingDir(model))) {
            OfflineSimulation sim = new OfflineSimulation(base, seed);
            // The evaluation prompts simulate-offline uses for the same seed, so the two read side by side.
            List<Prompt> fresh = OfflineSimulation.evaluationPrompts(seed, prompts);
            SimulatedUser judge = sim.judge();
            double[][] reward = new double[prompts][samples];
            double[][] up = new double[prompts][samples];
            for (int k = 0; k < samples; k++) {
                List<String> answers = sim.answers(fresh, null, seed + 17 + 1_000L * k);
                for (int i = 0; i < prompts; i++) {
                    reward[i][k] = HiddenReward.score(fresh.get(i), answers.get(i));
                    up[i][k] = sim.expectedUp(judge, fresh.get(i), answers.get(i));
                }
            }
            RewardFrontier frontier = new RewardFrontier(reward, up);
            for (int m = 1; m <= samples; m *= 2) {
                print(out, frontier.bestOf(m));
            }
            for (double beta : betas) {
                print(out, frontier.tilted(beta));
            }
        }
        return 0;
    }

    private void print(PrintWriter out, RewardFrontier.Point p) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("kind", p.kind());
        row.put(p.kind().equals("best-of") ? "m" : "beta", p.parameter());
        row.put("kl", p.kl());
        row.put("thumbs_up", p.thumbsUp());
        row.put("samples", samples);
        row.put("prompts", prompts);
        row.put("seed", seed);
        Json.print(out, row);
        out.flush();
    }
}
