package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.policy.train.TrainDefaults;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Offline proof of learning: rounds of (sample pairs from the current policy → simulated users choose → DPO), then
 * base vs tuned on fresh prompts. With several betas, one line per beta: a point of the reward–KL frontier.
 */
@Command(mixinStandardHelpOptions = true,
        name = "simulate-offline", description = "Sample answers, label pairs with simulated users, train DPO, and"
        + " measure base vs tuned thumbs-up rate and KL on fresh prompts (one JSON line per beta).")
final class SimulateOfflineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR")
    Path model;

    @Option(names = "--beta", defaultValue = TrainDefaults.BETA, split = ",", paramLabel = "B", description = "one run per beta")
    List<Double> betas;

    @Option(names = "--pairs", defaultValue = "512", paramLabel = "N", description = "pairs sampled per round")
    int pairs;

    @Option(names = "--rounds", defaultValue = "2", paramLabel = "R", description = "sample-then-train rounds")
    int rounds;

    @Option(names = "--epochs", defaultValue = "2", paramLabel = "N", description = "passes over each round's pairs")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N")
    int batchSize;

    @Option(names = "--lr", defaultValue = "2e-3", paramLabel = "LR")
    float lr;

    @Option(names = "--sft-weight", defaultValue = TrainDefaults.ON_POLICY_SFT_WEIGHT, paramLabel = "W",
            description = "RPO: weight of the chosen answers' NLL, keeps their likelihood from falling")
    double sftWeight;

    @Option(names = "--lora-rank", defaultValue = TrainDefaults.LORA_RANK, paramLabel = "R")
    int loraRank;

    @Option(names = "--eval", defaultValue = "500", paramLabel = "N", description = "fresh prompts per evaluation")
    int eval;

    @Option(names = "--seed", defaultValue = "7", paramLabel = "S")
    long seed;

    @Option(names = "--metrics", paramLabel = "F.jsonl", description = "one JSON line per optimizer step")
    Path metricsFile;

    private PrintWriter metrics;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (PolicyModel base = PolicyModel.open(ModelOptions.existingDir(model));
             PrintWriter stepLog = metricsFile == null ? null : new PrintWriter(java.nio.file.Files.newBufferedWriter(
                     metricsFile, java.nio.charset.StandardCharsets.UTF_8))) {
            metrics = stepLog;
            OfflineSimulation sim = new OfflineSimulation(base, seed);
            // Evaluation prompts come from their own stream: the policy never trains on them.
            PromptGenerator evalPrompts = new PromptGenerator(seed ^ 0x5DEECE66DL);
            List<Prompt> fresh = new ArrayList<>();
            for (int i = 0; i < eval; i++) {
                fresh.add(evalPrompts.next());
            }
            OfflineSimulation.Evaluation before = sim.evaluate(fresh, null, seed + 17);
            for (double beta : betas) {
                long start = System.nanoTime();
                TrainConfig d = TrainConfig.defaults();
                TrainConfig config = new TrainConfig(new DpoConfig(d.dpo().lossType(), beta, d.dpo().labelSmoothing(),
                        sftWeight), lr, d.warmupSteps(), d.maxGradNorm(), d.adamw());
                try (LoraAdapter adapter = LoraAdapter.create(base.model(),
                        new LoraConfig(loraRank, 2f * loraRank, base.model().defaultLoraTargets()), seed, base.manager())) {
                    DpoTrainer trainer = new DpoTrainer(base.model(), adapter, config);
                    PromptGenerator trainPrompts = new PromptGenerator(seed);
                    int trained = 0;
                    for (int round = 0; round < rounds; round++) {
                        // Round 0 samples the base; later rounds sample the policy being tuned (on-policy pairs).
                        List<PreferenceExample> data = sim.pairs(trainPrompts, pairs, round == 0 ? null : adapter,
                                seed + 101L * round);
                        trained += train(trainer, data, new Random(seed + round));
                    }
                    OfflineSimulation.Evaluation after = sim.evaluate(fresh, adapter, seed + 17);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("beta", beta);
                    row.put("sft_weight", sftWeight);
                    row.put("pairs", trained);
                    row.put("steps", trainer.steps());
                    row.put("thumbs_up_base", before.thumbsUpRate());
                    row.put("thumbs_up_tuned", after.thumbsUpRate());
                    row.put("gain_points", 100 * (after.thumbsUpRate() - before.thumbsUpRate()));
                    row.put("reward_base", before.meanReward());
                    row.put("reward_tuned", after.meanReward());
                    row.put("kl", after.kl());
                    row.put("eval_prompts", after.samples());
                    row.put("seconds", (System.nanoTime() - start) / 1e9);
                    Json.print(out, row);
                }
            }
        }
        return 0;
    }

    private int train(DpoTrainer trainer, List<PreferenceExample> data, Random order) {
        int used = 0;
        for (int e = 0; e < epochs; e++) {
            List<PreferenceExample> shuffled = new ArrayList<>(data);
            Collections.shuffle(shuffled, order);
            for (int from = 0; from + batchSize <= shuffled.size(); from += batchSize) {
                io.livedpo.policy.train.StepResult r = trainer.step(shuffled.subList(from, from + batchSize));
                if (r.applied() && e == 0) {
                    used += batchSize;
                }
                if (metrics != null) {
                    Map<String, Object> row = new LinkedHashMap<>(r.metrics());
                    row.put("step", r.step());
                    row.put("skipped", r.skipReason());
                    Json.print(metrics, row);
                }
            }
        }
        return used;
    }
}
