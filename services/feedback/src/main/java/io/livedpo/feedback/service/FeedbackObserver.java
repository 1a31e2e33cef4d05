package io.livedpo.feedback.service;

import io.livedpo.events.CanaryDecision;
import io.livedpo.events.PairSource;
import io.livedpo.feedback.canary.CanarySprt;
import io.livedpo.feedback.canary.CanaryTally;

/** What the topology reports as it goes; the app turns it into metrics and per-policy stats. */
public interface FeedbackObserver {

    /** A valid feedback event was read; {@code kind} is {@code up}, {@code down} or {@code pairwise}. */
    void feedbackReceived(String kind);

    /**
     * A vote or an A/B choice was joined with its response(s), so the policy and model version it judges are known;
     * {@code rating} is {@code up}, {@code down} or {@code pairwise} (then the version is the chosen response's).
     */
    void voteCounted(String policy, long modelVersion, String rating);

    void pairEmitted(String policy, PairSource source);

    /** Something was dropped on purpose; {@code reason} is a short tag such as {@code duplicate}. */
    void rejected(String reason);

    /** A feedback event named a response that did not arrive within the grace period. */
    void unmatched();

    /**
     * A thumbs vote or an A/B choice was tallied for a live canary; {@code logLikelihoodRatio} is the statistic of
     * {@code test} now.
     */
    void canaryEvidence(CanaryTally tally, CanarySprt test, double logLikelihoodRatio);

    /** A live canary was decided (and the decision announced). */
    void canaryDecided(CanaryDecision decision);
}
