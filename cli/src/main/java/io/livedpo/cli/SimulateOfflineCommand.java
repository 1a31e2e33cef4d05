package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.OnlineDpo;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.StepResult;
import io.livedpo.policy.train.ThumbsExample;
import io.livedpo.policy.train.TrainDefaults;
import io.livedpo.policy.dpo.KtoConfig;
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

    @Option(names = "--single-thumbs-share", defaultValue = "0", paramLabel = "S",
            description = "share of all votes that are single thumbs on an answer served alone (live: about 0.2);"
                    + " each version gets round(pairs-per-version * S / (1 - S)) of them beside its pairs")
    double singleThumbsShare;

    @Option(names = "--unpaired-weight", defaultValue = TrainDefaults.UNPAIRED_WEIGHT, paramLabel = "W",
            description = "KTO: weight of the single thumbs votes' loss beside the pairs' (0: they are cast but not"
                    + " trained on, as the trainer does today)")
    double unpairedWeight;

    @Option(names = "--unpaired-desirable-weight", defaultValue = TrainDefaults.UNPAIRED_DESIRABLE_WEIGHT,
            paramLabel = "L", description = "KTO's lambda_D: weight of a thumbs-up answer")
    double desirableWeight;

    @Option(names = "--unpaired-undesirable-weight", defaultValue = TrainDefaults.UNPAIRED_UNDESIRABLE_WEIGHT,
            paramLabel = "L", description = "KTO's lambda_U: weight of a thumbs-down answer")
    double undesirableWeight;

    @Option(names = "--seed", defaultValue = "7", paramLabel = "S")
    long seed;

    @Option(names = "--metrics", paramLabel = "F.jsonl", description = "one JSON line per optimizer step")
    Path metricsFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!(singleThumbsShare >= 0 && singleThumbsShare < 1)) {
            throw new BadInputException("--single-thumbs-share must be in [0, 1), got " + singleThumbsShare);
        }
        KtoConfig kto;
        try {
            kto = new KtoConfig(unpairedWeight, desirableWeight, undesirableWeight);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        try (PolicyModel base = PolicyModel.open(ModelOptions.existingDir(model));
             PrintWriter stepLog = metricsFile == null ? null
                     : new PrintWriter(Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8))) {
            OfflineSimulation sim = new OfflineSimulation(base, seed, adversarialShare);
            List<Prompt> fresh = OfflineSimulation.evaluationPrompts(seed, eval);
            long start = System.nanoTime();
            try (LoraAdapter adapter = LoraAdapter.create(base.model(), recipe.lora(base.model()), seed,
                    base.manager())) {
                OnlineDpo trainer = new OnlineDpo(new DpoTrainer(base.model(), adapter, recipe.train()),
                        recipe.online(), kto, seed);
                print(out, 0, 0, 0, sim.evaluate(fresh, null, seed + 17), start);
                PromptGenerator trainPrompts = new PromptGenerator(seed);
                PromptGenerator thumbsPrompts = OfflineSimulation.thumbsPrompts(seed);
                int trained = 0;
                int nextEval = evalEvery;
                int evaluatedAt = 0;
                for (long version = 0; trained < maxPairs; version++) {
                    // Version 0 is the base; every later one the adapter as trained so far (on-policy pairs).
                    List<PreferenceExample> pairs = sim.pairs(trainPrompts,
                            Math.min(pairsPerVersion, maxPairs - trained), version == 0 ? null : adapter,
                            seed + 101L * version);
                    int thumbs = (int) Math.round(pairs.size() * singleThumbsShare / (1 - singleThumbsShare));
                    List<ThumbsExample> singles = thumbs == 0 ? List.of()
                            : sim.singles(thumbsPrompts, thumbs, version == 0 ? null : adapter,
                                    seed + 101L * version);
                    singleVotes += thumbs;
                    for (int from = 0; from < pairs.size(); from += recipe.batchSize) {
                        int to = Math.min(pairs.size(), from + recipe.batchSize);
                        List<PreferenceExample> batch = pairs.subList(from, to);
                        // The version's singles spread over its mini-batches in proportion to their pairs.
                        List<ThumbsExample> mixed = singles.subList(from * singles.size() / pairs.size(),
                                to * singles.size() / pairs.size());
                        StepResult r = trainer.train(batch, mixed);
                        trained += r.applied() ? batch.size() : 0;
                        if (r.applied() && kto.enabled()) {
                            trainedSingles += mixed.size();
                            trainedUp += mixed.stream().filter(ThumbsExample::up).count();
                        }
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

    /** Single thumbs votes cast so far, and those trained on (and how many of those were up). */
    private long singleVotes;
    private long trainedSingles;
    private long trainedUp;

    private void print(PrintWriter out, int pairs, long steps, long versions, OfflineSimulation.Evaluation e,
                       long start) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", label);
        row.putAll(recipe.describe());
        row.put("pairs_per_version", pairsPerVersion);
        row.put("adversarial_share", adversarialShare);
        row.put("single_thumbs_share", singleThumbsShare);
        row.put("unpaired_weight", unpairedWeight);
        row.put("unpaired_desirable_weight", desirableWeight);
        row.put("unpaired_undesirable_weight", undesirableWeight);
        row.put("seed", seed);
        row.put("pairs", pairs);
        // The vote budget: every A/B choice and every single thumbs vote cast, trained on or not.
        row.put("votes", pairs + singleVotes);
        row.put("single_votes", singleVotes);
        row.put("singles_trained", trainedSingles);
        row.put("singles_trained_up", trainedUp);
        row.put("steps", steps);
        row.put("versions", versions);
        row.putAll(e.fields());
        row.put("seconds", (System.nanoTime() - start) / 1e9);
        Json.print(out, row);
        out.flush();
    }
}
