package io.livedpo.feedback.canary;

import io.livedpo.events.CanaryDecision;
import java.time.Duration;

/**
 * How the live canary is judged.
 *
 * @param test             the sequential test and its error rates
 * @param maxCandidateVotes votes on the candidate after which an undecided canary takes {@code onLimit}
 * @param maxDuration      time since its first vote after which an undecided canary takes {@code onLimit}
 * @param onLimit          the default action of an undecided canary at either bound
 */
public record CanaryConfig(CanarySprt test, long maxCandidateVotes, Duration maxDuration,
                           CanaryDecision.Action onLimit) {

    /** The documented defaults (see {@code services/feedback/README.md}). */
    public static CanaryConfig defaults() {
        return new CanaryConfig(new CanarySprt(0.05, 0.1, 0.1, 20), 1000, Duration.ofHours(24),
                CanaryDecision.Action.ROLLBACK);
    }
}
