package io.livedpo.policy.train;

import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.optim.AdamWConfig;

/**
 * How the policy's adapter is trained.
 *
 * @param dpo          loss type, beta, label smoothing, SFT weight
 * @param learningRate peak learning rate, reached after the warm-up
 * @param warmupSteps  linear warm-up length in optimizer steps
 * @param maxGradNorm  global L2 norm the gradients are clipped to
 * @param adamw        betas, epsilon, decoupled weight decay
 */
public record TrainConfig(DpoConfig dpo, float learningRate, long warmupSteps, float maxGradNorm, AdamWConfig adamw) {

    /** {@link TrainDefaults}: TRL's DPOConfig defaults, except the learning rate (LoRA wants a larger one). */
    public static TrainConfig defaults() {
        DpoConfig dpo = new DpoConfig(DpoLossType.parse(TrainDefaults.LOSS), Double.parseDouble(TrainDefaults.BETA),
                Double.parseDouble(TrainDefaults.LABEL_SMOOTHING), Double.parseDouble(TrainDefaults.SFT_WEIGHT));
        return new TrainConfig(dpo, Float.parseFloat(TrainDefaults.LEARNING_RATE),
                Long.parseLong(TrainDefaults.WARMUP_STEPS), Float.parseFloat(TrainDefaults.MAX_GRAD_NORM),
                AdamWConfig.defaults().withWeightDecay(Double.parseDouble(TrainDefaults.WEIGHT_DECAY)));
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
    }

    public TrainConfig withDpo(DpoConfig newDpo) {
        return new TrainConfig(newDpo, learningRate, warmupSteps, maxGradNorm, adamw);
    }
}
