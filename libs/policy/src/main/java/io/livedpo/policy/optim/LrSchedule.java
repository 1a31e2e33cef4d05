package io.livedpo.policy.optim;

/** A learning rate as a function of the optimizer step. */
@FunctionalInterface
public interface LrSchedule {

    /**
     * @param step the 1-based number of the update about to be applied
     * @return the learning rate for that update
     */
    float lr(long step);

    /** The warm-up's linear ramp: peakLr · min(1, step / warmupSteps), steps numbered from 1. */
    static float warmUp(float peakLr, long warmupSteps, long step) {
        if (step < 1) {
            throw new IllegalArgumentException("Steps are numbered from 1, got " + step);
        }
        return step >= warmupSteps ? peakLr : (float) (peakLr * ((double) step / warmupSteps));
    }

    /** Fails unless the peak is finite and >= 0 and the floor lies in [0, peak]. */
    static void requireRates(float peakLr, float minLr) {
        if (!(peakLr >= 0) || !Float.isFinite(peakLr)) {
            throw new IllegalArgumentException("Learning rate must be a finite number >= 0, got " + peakLr);
        }
        if (!(minLr >= 0 && minLr <= peakLr)) {
            throw new IllegalArgumentException("Minimum learning rate must be in [0, " + peakLr + "], got " + minLr);
        }
    }
}
