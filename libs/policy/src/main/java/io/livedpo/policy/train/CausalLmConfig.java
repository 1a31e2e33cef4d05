package io.livedpo.policy.train;

import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.optim.LrSchedule;
import java.util.Objects;

/**
 * How {@link CausalLmTrainer} updates a model.
 *
 * @param schedule    learning rate per optimizer step, e.g. {@link io.livedpo.policy.optim.WarmupCosine}
 * @param maxGradNorm global L2 norm the gradients are clipped to
 * @param adamw       betas and epsilon for every weight; its weight decay applies to the matrices only
 */
public record CausalLmConfig(LrSchedule schedule, float maxGradNorm, AdamWConfig adamw) {

    public CausalLmConfig {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(adamw, "adamw");
        if (!(maxGradNorm > 0) || !Float.isFinite(maxGradNorm)) {
            throw new IllegalArgumentException("max grad norm must be a positive number, got " + maxGradNorm);
        }
    }
}
