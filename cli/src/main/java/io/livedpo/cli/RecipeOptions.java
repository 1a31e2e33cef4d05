package io.livedpo.cli;

import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.LrScheduleKind;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.train.LrDecay;
import io.livedpo.policy.train.OnlineRecipe;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.policy.train.TrainDefaults;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The live trainer's recipe as command-line options, with the trainer's defaults ({@link TrainDefaults}): what
 * {@code replay} and {@code simulate-offline} vary in the recipe study.
 */
final class RecipeOptions {

    @Option(names = "--loss", defaultValue = TrainDefaults.LOSS, paramLabel = "sigmoid|ipo|hinge|robust")
    String loss;

    @Option(names = "--beta", defaultValue = TrainDefaults.BETA, paramLabel = "B")
    double beta;

    @Option(names = "--label-smoothing", defaultValue = TrainDefaults.LABEL_SMOOTHING, paramLabel = "E",
            description = "cDPO / robust DPO: the assumed share of flipped votes")
    double labelSmoothing;

    @Option(names = "--sft-weight", defaultValue = TrainDefaults.ON_POLICY_SFT_WEIGHT, paramLabel = "W",
            description = "RPO: weight of the chosen answers' NLL")
    double sftWeight;

    @Option(names = "--lr", defaultValue = TrainDefaults.LEARNING_RATE, paramLabel = "LR")
    float lr;

    @Option(names = "--warmup", defaultValue = TrainDefaults.WARMUP_STEPS, paramLabel = "N", description = "warm-up steps")
    long warmup;

    @Option(names = "--lr-schedule", defaultValue = TrainDefaults.LR_SCHEDULE,
            paramLabel = "constant|inverse-sqrt|cosine",
            description = "what the rate does after the warm-up")
    String lrSchedule;

    @Option(names = "--lr-decay-steps", defaultValue = TrainDefaults.LR_DECAY_STEPS, paramLabel = "STEPS",
            description = "inverse-sqrt: the step its decay starts at; cosine: its length after the warm-up")
    long lrDecaySteps;

    @Option(names = "--min-lr-ratio", defaultValue = TrainDefaults.MIN_LR_RATIO, paramLabel = "F",
            description = "the decayed rate's floor, as a fraction of --lr")
    double minLrRatio;

    @Option(names = "--batch-size", defaultValue = TrainDefaults.BATCH_SIZE, paramLabel = "N", description = "pairs per step")
    int batchSize;

    @Option(names = "--lora-rank", defaultValue = TrainDefaults.LORA_RANK, paramLabel = "R", description = "alpha = 2r")
    int loraRank;

    @Option(names = "--lora-targets", split = ",", paramLabel = "MODULE[,MODULE...]",
            description = "projections LoRA adapts, as PEFT's target_modules (default: every projection of the model)")
    List<String> loraTargets;

    @Option(names = "--steps-per-batch", defaultValue = TrainDefaults.STEPS_PER_BATCH, paramLabel = "N")
    int stepsPerBatch;

    @Option(names = "--replay-size", defaultValue = TrainDefaults.REPLAY_SIZE, paramLabel = "N")
    int replaySize;

    @Option(names = "--replay-per-step", defaultValue = TrainDefaults.REPLAY_PER_STEP, paramLabel = "N")
    int replayPerStep;

    @Option(names = "--refresh-every", defaultValue = TrainDefaults.REFRESH_EVERY, paramLabel = "STEPS",
            description = "TR-DPO: move the reference toward the policy every this many steps (0: never)")
    int refreshEvery;

    @Option(names = "--refresh-alpha", defaultValue = TrainDefaults.REFRESH_ALPHA, paramLabel = "A")
    float refreshAlpha;

    @Option(names = "--max-staleness", defaultValue = TrainDefaults.MAX_STALENESS, paramLabel = "VERSIONS",
            description = "drop pairs whose older answer is more versions behind (-1: keep all)")
    long maxStaleness;

    TrainConfig train() {
        TrainConfig d = TrainConfig.defaults();
        return new TrainConfig(new DpoConfig(DpoLossType.parse(loss), beta, labelSmoothing, sftWeight), lr, warmup,
                d.maxGradNorm(), d.adamw(), new LrDecay(LrScheduleKind.parse(lrSchedule), lrDecaySteps, minLrRatio));
    }

    LoraConfig lora(CausalLm model) {
        return new LoraConfig(loraRank, 2f * loraRank, targetsOr(model.defaultLoraTargets()));
    }

    private List<String> targetsOr(List<String> all) {
        return loraTargets == null || loraTargets.isEmpty() ? all : loraTargets;
    }

    OnlineRecipe online() {
        return new OnlineRecipe(stepsPerBatch, replaySize, replayPerStep, refreshEvery, refreshAlpha, maxStaleness);
    }

    /** The recipe as JSON fields, so every result line says what produced it. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("beta", beta);
        m.put("label_smoothing", labelSmoothing);
        m.put("sft_weight", sftWeight);
        m.put("lr", lr);
        m.put("warmup", warmup);
        m.put("lr_schedule", lrSchedule);
        m.put("lr_decay_steps", lrDecaySteps);
        m.put("min_lr_ratio", minLrRatio);
        m.put("batch_size", batchSize);
        m.put("lora_rank", loraRank);
        m.put("lora_targets", targetsOr(List.of("all")));
        m.put("steps_per_batch", stepsPerBatch);
        m.put("replay_size", replaySize);
        m.put("replay_per_step", replayPerStep);
        m.put("refresh_every", refreshEvery);
        m.put("refresh_alpha", refreshAlpha);
        m.put("max_staleness", maxStaleness);
        return m;
    }
}
