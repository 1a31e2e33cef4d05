package io.livedpo.feedback.streams;

/**
 * One side of an A/B choice inside a live-canary experiment, held by the judge until the other side arrives.
 *
 * @param version  the model version of this side's response
 * @param chosen   whether this side was picked
 * @param heldAtMs wall-clock time it was held (a half whose partner never comes is dropped after the grace period)
 */
public record CanaryHalf(long version, boolean chosen, long heldAtMs) {
}
