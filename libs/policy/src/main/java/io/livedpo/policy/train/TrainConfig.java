package io.livedpo.policy.train;

import io.livedpo.policy.dpo.DpoConfig;
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

    /** TRL's DPOConfig defaults, except the learning rate: LoRA wants a larger one than full fine-tuning. */
    public static TrainConfig defaults() {
        return new TrainConfig(DpoConfig.defaults(), 5e-4f, 10, 1.0f, AdamWConfig.defaults());
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
