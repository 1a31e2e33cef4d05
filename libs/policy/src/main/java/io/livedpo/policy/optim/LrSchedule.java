package io.livedpo.policy.optim;

/** A learning rate as a function of the optimizer step. */
@FunctionalInterface
public interface LrSchedule {

    /**
     * @param step the 1-based number of the update about to be applied
     * @return the learning rate for that update
     */
    float lr(long step);
}
