package io.livedpo.policy.train;

import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.optim.LrSchedule;

/**
 * How the policy's adapter is trained.
 *
 * @param dpo          loss type, beta, label smoothing, SFT weight
 * @param learningRate peak learning rate, reached after the warm-up
 * @param warmupSteps  linear warm-up length in optimizer steps
 * @param maxGradNorm  global L2 norm the gradients are clipped to
 * @param adamw        betas, epsilon, decoupled weight decay
 * @param decay        what the rate does after the warm-up
 */
public record TrainConfig(DpoConfig dpo, float learningRate, long warmupSteps, float maxGradNorm, AdamWConfig adamw,
                          LrDecay decay) {

    /** A constant rate after the warm-up. */
    public TrainConfig(DpoConfig dpo, float learningRate, long warmupSteps, float maxGradNorm, AdamWConfig adamw) {
        this(dpo, learningRate, warmupSteps, maxGradNorm, adamw, LrDecay.constant());
    }

    /** {@link TrainDefaults}: TRL's DPOConfig defaults, except the learning rate (LoRA wants a larger one). */
    public static TrainConfig defaults() {
        DpoConfig dpo = new DpoConfig(DpoLossType.parse(TrainDefaults.LOSS), Double.parseDouble(TrainDefaults.BETA),
                Double.parseDouble(TrainDefaults.LABEL_SMOOTHING), Double.parseDouble(TrainDefaults.SFT_WEIGHT));
        return new TrainConfig(dpo, Float.parseFloat(TrainDefaults.LEARNING_RATE),
                Long.parseLong(TrainDefaults.WARMUP_STEPS), Float.parseFloat(TrainDefaults.MAX_GRAD_NORM),
                AdamWConfig.defaults().withWeightDecay(Double.parseDouble(TrainDefaults.WEIGHT_DECAY)),
                LrDecay.defaults());
    }

    public TrainConfig {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("max grad norm must be > 0, got " + maxGradNorm);
        }
        if (decay == null) {
            throw new IllegalArgumentException("learning-rate decay must be given");
        }
    }

    /** The rate of each optimizer step. */
    public LrSchedule schedule() {
        return decay.schedule(learningRate, warmupSteps);
    }

    public TrainConfig withDpo(DpoConfig newDpo) {
        return new TrainConfig(newDpo, learningRate, warmupSteps, maxGradNorm, adamw, decay);
    }
}
