package io.livedpo.policy.optim;

/**
 * Linear warm-up to {@code peakLr}, then a half-cosine decay to {@code minLr} at {@code totalSteps}: the usual
 * pre-training schedule (GPT-2/3, nanoGPT), for runs whose length is known in advance.
 * <p>
 * Step s (1-based) gets {@code peakLr · s / warmupSteps} while s &lt; warmupSteps (as {@link WarmupConstant}, so the
 * first update already moves), then {@code minLr + (peakLr − minLr) · ½(1 + cos(π · p))} with
 * {@code p = (s − warmupSteps) / (totalSteps − warmupSteps)}, and {@code minLr} after the last step. A floor above 0
 * (commonly peak/10) keeps the final updates useful.
 *
 * @param peakLr      the rate at the end of the warm-up
 * @param minLr       the rate the decay ends at, in [0, peakLr]
 * @param warmupSteps length of the ramp; 0 starts the decay at once
 * @param totalSteps  the step at which the decay reaches minLr; at least warmupSteps
 */
public record WarmupCosine(float peakLr, float minLr, long warmupSteps, long totalSteps) implements LrSchedule {

    public WarmupCosine {
        LrSchedule.requireRates(peakLr, minLr);
        if (warmupSteps < 0 || totalSteps < warmupSteps) {
            throw new IllegalArgumentException("Need 0 <= warm-up steps <= total steps, got " + warmupSteps + " and "
                    + totalSteps);
        }
    }

    @Override
    public float lr(long step) {
        float warm = LrSchedule.warmUp(peakLr, warmupSteps, step); // checks the step too
        if (step < warmupSteps) {
            return warm;
        }
        if (step >= totalSteps) {
            return step == warmupSteps ? peakLr : minLr;
        }
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return (float) (minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
