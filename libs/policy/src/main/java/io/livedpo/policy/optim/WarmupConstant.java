package io.livedpo.policy.optim;

/**
 * Linear warm-up from 0 to {@code peakLr} over {@code warmupSteps} updates, then constant.
 * An online trainer has no known end of training to decay towards and keeps learning from new
 * feedback indefinitely, so a constant rate after warm-up is the natural choice; the warm-up keeps
 * the first updates small while Adam's second-moment estimate is still noisy.
 * <p>
 * Step s (1-based) gets {@code peakLr · min(1, s / warmupSteps)}, so the first update already moves
 * (HF's {@code get_constant_schedule_with_warmup} counts from 0 and gives the first update lr 0).
 *
 * @param peakLr      the rate after warm-up
 * @param warmupSteps length of the ramp; 0 means constant from the first step
 */
public record WarmupConstant(float peakLr, long warmupSteps) implements LrSchedule {

    public WarmupConstant {
        LrSchedule.requireRates(peakLr, 0);
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("Warm-up steps must be >= 0, got " + warmupSteps);
        }
    }

    @Override
    public float lr(long step) {
        return LrSchedule.warmUp(peakLr, warmupSteps, step);
    }
}
