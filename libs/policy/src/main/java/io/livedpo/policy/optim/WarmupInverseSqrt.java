package io.livedpo.policy.optim;

/**
 * Linear warm-up to {@code peakLr}, constant until {@code decayStart}, then an inverse-square-root decay with a floor:
 * a schedule for a loop that never ends (the live trainer), where a cosine needs a length the loop does not have.
 * <p>
 * Step s (1-based) gets {@code peakLr · s / warmupSteps} while s &lt; warmupSteps (as {@link WarmupConstant}), then
 * {@code peakLr} up to {@code D = max(decayStart, warmupSteps)}, then {@code max(minLr, peakLr · √(D / s))}:
 * half the peak at 4·D, a quarter at 16·D. Early steps move fast, later ones take smaller steps (what that buys the
 * live loop is measured in docs/LEARNING.md: a faster start, not a higher plateau).
 *
 * @param peakLr      the rate at the end of the warm-up
 * @param minLr       the floor, in [0, peakLr]
 * @param warmupSteps length of the ramp
 * @param decayStart  the step after which the decay begins (the time scale D)
 */
public record WarmupInverseSqrt(float peakLr, float minLr, long warmupSteps, long decayStart) implements LrSchedule {

    public WarmupInverseSqrt {
        LrSchedule.requireRates(peakLr, minLr);
        if (warmupSteps < 0 || decayStart < 0) {
            throw new IllegalArgumentException("Need warm-up steps and decay start >= 0, got " + warmupSteps + " and "
                    + decayStart);
        }
    }

    @Override
    public float lr(long step) {
        long d = Math.max(Math.max(decayStart, warmupSteps), 1);
        if (step <= d) {
            return LrSchedule.warmUp(peakLr, warmupSteps, step); // the ramp, then the peak; checks the step
        }
        return (float) Math.max(minLr, peakLr * Math.sqrt((double) d / step));
    }
}
