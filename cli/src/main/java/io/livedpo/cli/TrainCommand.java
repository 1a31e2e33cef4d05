package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.PreferenceEncoder;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.StepResult;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.policy.train.TrainDefaults;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true,
        name = "train", description = "DPO on a LoRA adapter from a JSONL file of preference pairs (TRL's format);"
        + " writes the adapter checkpoint to --out and prints a summary.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR")
    Path model;

    @Option(names = "--pairs", required = true, paramLabel = "F.jsonl")
    Path pairs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new checkpoint directory")
    Path out;

    @Option(names = "--init-adapter", paramLabel = "DIR", description = "continue training this adapter")
    Path initAdapter;

    @Option(names = "--policy", defaultValue = "default", description = "policy name recorded in the checkpoint")
    String policy;

    @Option(names = "--loss", defaultValue = TrainDefaults.LOSS, paramLabel = "sigmoid|ipo|hinge|robust")
    String loss;

    @Option(names = "--beta", defaultValue = TrainDefaults.BETA, paramLabel = "B")
    double beta;

    @Option(names = "--label-smoothing", defaultValue = TrainDefaults.LABEL_SMOOTHING, paramLabel = "E")
    double labelSmoothing;

    @Option(names = "--sft-weight", defaultValue = TrainDefaults.SFT_WEIGHT, paramLabel = "W", description = "RPO: weight of the chosen NLL")
    double sftWeight;

    @Option(names = "--lr", defaultValue = TrainDefaults.LEARNING_RATE, paramLabel = "LR")
    float lr;

    @Option(names = "--warmup", defaultValue = TrainDefaults.WARMUP_STEPS, paramLabel = "N", description = "warm-up steps")
    long warmup;

    @Option(names = "--max-grad-norm", defaultValue = TrainDefaults.MAX_GRAD_NORM, paramLabel = "N")
    float maxGradNorm;

    @Option(names = "--weight-decay", defaultValue = TrainDefaults.WEIGHT_DECAY, paramLabel = "WD")
    double weightDecay;

    @Option(names = "--batch-size", defaultValue = TrainDefaults.BATCH_SIZE, paramLabel = "N", description = "pairs per optimizer step")
    int batchSize;

    @ArgGroup(exclusive = true)
    Length length = new Length();

    static final class Length {
        @Option(names = "--steps", paramLabel = "N", description = "optimizer steps")
        Long steps;

        @Option(names = "--epochs", paramLabel = "N", description = "passes over the pairs (default 1)")
        Integer epochs;
    }

    @Option(names = "--lora-rank", defaultValue = TrainDefaults.LORA_RANK, paramLabel = "R", description = "for a new adapter")
    int loraRank;

    @Option(names = "--lora-alpha", defaultValue = TrainDefaults.LORA_ALPHA, paramLabel = "A", description = "for a new adapter")
    float loraAlpha;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "adapter init and pair order")
    long seed;

    @Option(names = "--metrics", paramLabel = "F.jsonl", description = "one JSON line per optimizer step")
    Path metricsFile;

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) {
            throw new BadInputException("--batch-size must be >= 1");
        }
        TrainConfig config = new TrainConfig(
                new DpoConfig(DpoLossType.parse(loss), beta, labelSmoothing, sftWeight), lr, warmup, maxGradNorm,
                AdamWConfig.defaults().withWeightDecay(weightDecay));
        if (Files.exists(out)) {
            throw new BadInputException(out + ": already exists (checkpoints are never overwritten)");
        }
        try (PolicyModel base = PolicyModel.open(ModelOptions.existingDir(model))) {
            List<PreferenceExample> examples = PairsFile.read(pairs, base.tokenizer().chat(),
                    new PreferenceEncoder(base.tokenizer(),
                    base.model().config().bosTokenId(), base.model().config().eosTokenId()),
                    base.model().config().contextLength());
            CheckpointMetadata parent = initAdapter == null ? null : parentMetadata(initAdapter);
            LoraAdapter adapter = initAdapter != null ? base.loadAdapter(ModelOptions.existingDir(initAdapter))
                    : LoraAdapter.create(base.model(), new LoraConfig(loraRank, loraAlpha, base.model().defaultLoraTargets()),
                            seed, base.manager());
            DpoTrainer trainer = new DpoTrainer(base.model(), adapter, config);
            long totalSteps = length.steps != null ? length.steps
                    : (long) Math.ceil(examples.size() / (double) batchSize) * (length.epochs != null ? length.epochs : 1);
            Summary summary = train(trainer, examples, totalSteps);
            long pairsBefore = parent == null ? 0 : parent.pairsTrained();
            long parentVersion = parent == null ? 0 : parent.version();
            CheckpointMetadata written = AdapterCheckpoint.write(out, adapter.config(), adapter.peftTensors(),
                    CheckpointMetadata.draft(policy, parentVersion + 1, parentVersion, base.fingerprint(),
                            pairsBefore + summary.pairsTrained, summary.lastMetrics, Instant.now(), Map.of()));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("out", out.toString());
            result.put("version", written.version());
            result.put("steps", trainer.steps());
            result.put("skipped_batches", trainer.skippedBatches());
            result.put("pairs_trained", written.pairsTrained());
            result.put("sha256", written.sha256());
            result.put("metrics", summary.lastMetrics);
            Json.print(spec.commandLine().getOut(), result);
        }
        return 0;
    }

    private record Summary(long pairsTrained, Map<String, Double> lastMetrics) {
    }

    private Summary train(DpoTrainer trainer, List<PreferenceExample> examples, long totalSteps) throws IOException {
        Random order = new Random(seed);
        List<PreferenceExample> epoch = new ArrayList<>();
        Progress progress = new Progress("train", totalSteps);
        long pairsTrained = 0;
        Map<String, Double> last = Map.of();
        try (PrintWriter metrics = metricsFile == null ? null
                : new PrintWriter(Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8))) {
            for (long step = 1; step <= totalSteps; step++) {
                List<PreferenceExample> batch = new ArrayList<>(batchSize);
                while (batch.size() < Math.min(batchSize, examples.size())) {
                    if (epoch.isEmpty()) {
                        epoch.addAll(examples);
                        Collections.shuffle(epoch, order);
                    }
                    batch.add(epoch.remove(epoch.size() - 1));
                }
                StepResult r = trainer.step(batch);
                if (r.applied()) {
                    pairsTrained += batch.size();
                    last = r.metrics();
                } else {
                    System.err.println("skipped batch (" + r.skipReason() + "): pairs " + r.pairIds());
                }
                if (metrics != null) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("step", step);
                    row.putAll(r.metrics());
                    if (!r.applied()) {
                        row.put("skipped", r.skipReason());
                    }
                    Json.print(metrics, row);
                }
                progress.update(step, String.format("loss %.4f acc %.2f", r.metrics().getOrDefault("loss", Double.NaN),
                        r.metrics().getOrDefault("rewards/accuracies", Double.NaN)));
            }
        }
        return new Summary(pairsTrained, last);
    }

    private static CheckpointMetadata parentMetadata(Path dir) throws IOException {
        return Files.exists(dir.resolve(AdapterCheckpoint.METADATA_FILE)) ? AdapterCheckpoint.readMetadata(dir) : null;
    }
}
