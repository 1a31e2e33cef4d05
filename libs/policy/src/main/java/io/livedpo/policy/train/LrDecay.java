package io.livedpo.policy.train;

import io.livedpo.policy.optim.LrSchedule;
import io.livedpo.policy.optim.LrScheduleKind;

/**
 * What the learning rate does after the warm-up ({@code livedpo.trainer.dpo.lr-schedule}, {@code lr-decay-steps},
 * {@code min-lr-ratio}; {@code --lr-schedule}, {@code --lr-decay-steps}, {@code --min-lr-ratio} in the CLI).
 *
 * @param kind  constant, inverse-sqrt or cosine
 * @param steps inverse-sqrt: the step its decay starts at; cosine: the decay's length after the warm-up
 * @param floor the lowest rate as a fraction of the peak, in [0, 1]
 */
public record LrDecay(LrScheduleKind kind, long steps, double floor) {

    /** {@link TrainDefaults#LR_SCHEDULE}, {@link TrainDefaults#LR_DECAY_STEPS}, {@link TrainDefaults#MIN_LR_RATIO}. */
    public static LrDecay defaults() {
        return new LrDecay(LrScheduleKind.parse(TrainDefaults.LR_SCHEDULE),
                Long.parseLong(TrainDefaults.LR_DECAY_STEPS),
                Double.parseDouble(TrainDefaults.MIN_LR_RATIO));
    }

    /** A constant rate after the warm-up (the decay settings stay at their defaults, unused). */
    public static LrDecay constant() {
        LrDecay d = defaults();
        return new LrDecay(LrScheduleKind.CONSTANT, d.steps, d.floor);
    }

    public LrDecay {
        if (kind == null) {
            throw new IllegalArgumentException("learning-rate schedule must be given");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("decay steps must be >= 0, got " + steps);
        }
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("min lr ratio must be in [0, 1], got " + floor);
        }
    }

    public LrSchedule schedule(float peakLr, long warmupSteps) {
        return kind.schedule(peakLr, warmupSteps, steps, floor);
    }
}
