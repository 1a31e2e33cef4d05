package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.OnlineDpo;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.StepResult;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The live loop without Kafka or wall-clock time, for the recipe study: every version serves {@code
 * pairs-per-version} A/B questions (two answers sampled from it, a simulated user picks one), those pairs train the
 * next version through the trainer's recipe ({@link OnlineDpo}), and the policy is evaluated on fresh prompts every N
 * pairs. On-policy like the live loop, deterministic for a seed, and as fast as the CPU allows.
 */
@Command(mixinStandardHelpOptions = true,
        name = "simulate-offline", description = "Simulate the live loop in one process: versions answer A/B"
        + " questions, simulated users choose, the trainer's recipe trains; one JSON line per evaluation (expected"
        + " thumbs-up rate of the users on fresh prompts, KL over the policy's own samples).")
final class SimulateOfflineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR")
    Path model;

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--label", defaultValue = "", description = "copied into every line, to tell sweeps apart")
    String label;

    @Option(names = "--pairs-per-version", defaultValue = "160", paramLabel = "N",
            description = "pairs between versions (the trainer's default: 20 steps of 8)")
    int pairsPerVersion;

    @Option(names = "--max-pairs", defaultValue = "2000", paramLabel = "N")
    int maxPairs;

    @Option(names = "--eval-every", defaultValue = "250", paramLabel = "PAIRS")
    int evalEvery;

    @Option(names = "--eval", defaultValue = "300", paramLabel = "N", description = "fresh prompts per evaluation")
    int eval;

    @Option(names = "--adversarial-share", defaultValue = "0", paramLabel = "S",
            description = "share of the users who choose against the hidden reward")
    double adversarialShare;

    @Option(names = "--seed", defaultValue = "7", paramLabel = "S")
    long seed;

    @Option(names = "--metrics", paramLabel = "F.jsonl", description = "one JSON line per optimizer step")
    Path metricsFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (PolicyModel base = PolicyModel.open(ModelOptions.existingDir(model));
             PrintWriter stepLog = metricsFile == null ? null
                     : new PrintWriter(Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8))) {
            OfflineSimulation sim = new OfflineSimulation(base, seed, adversarialShare);
            List<Prompt> fresh = OfflineSimulation.evaluationPrompts(seed, eval);
            long start = System.nanoTime();
            try (LoraAdapter adapter = LoraAdapter.create(base.model(), recipe.lora(base.model()), seed,
                    base.manager())) {
                OnlineDpo trainer = new OnlineDpo(new DpoTrainer(base.model(), adapter, recipe.train()),
                        recipe.online(), seed);
                print(out, 0, 0, 0, sim.evaluate(fresh, null, seed + 17), start);
                PromptGenerator trainPrompts = new PromptGenerator(seed);
                int trained = 0;
                int nextEval = evalEvery;
                int evaluatedAt = 0;
                for (long version = 0; trained < maxPairs; version++) {
                    // Version 0 is the base; every later one the adapter as trained so far (on-policy pairs).
                    List<PreferenceExample> pairs = sim.pairs(trainPrompts,
                            Math.min(pairsPerVersion, maxPairs - trained), version == 0 ? null : adapter,
                            seed + 101L * version);
                    for (int from = 0; from < pairs.size(); from += recipe.batchSize) {
                        List<PreferenceExample> batch = pairs.subList(from, Math.min(pairs.size(),
                                from + recipe.batchSize));
                        StepResult r = trainer.train(batch);
                        trained += r.applied() ? batch.size() : 0;
                        if (stepLog != null) {
                            Map<String, Object> row = new LinkedHashMap<>(r.metrics());
                            row.put("step", r.step());
                            row.put("skipped", r.skipReason());
                            Json.print(stepLog, row);
                        }
                    }
                    if (trained >= nextEval || trained >= maxPairs) {
                        print(out, trained, trainer.trainer().steps(), version + 1,
                                sim.evaluate(fresh, adapter, seed + 17), start);
                        evaluatedAt = trained;
                        while (nextEval <= trained) {
                            nextEval += evalEvery;
                        }
                    }
                    if (pairs.isEmpty()) {
                        break;
                    }
                }
                if (trained > evaluatedAt) {
                    print(out, trained, trainer.trainer().steps(), -1, sim.evaluate(fresh, adapter, seed + 17),
                            start);
                }
            }
        }
        return 0;
    }

    private void print(PrintWriter out, int pairs, long steps, long versions, OfflineSimulation.Evaluation e,
                       long start) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", label);
        row.putAll(recipe.describe());
        row.put("pairs_per_version", pairsPerVersion);
        row.put("adversarial_share", adversarialShare);
        row.put("seed", seed);
        row.put("pairs", pairs);
        row.put("steps", steps);
        row.put("versions", versions);
        row.putAll(e.fields());
        row.put("seconds", (System.nanoTime() - start) / 1e9);
        Json.print(out, row);
        out.flush();
    }
}
