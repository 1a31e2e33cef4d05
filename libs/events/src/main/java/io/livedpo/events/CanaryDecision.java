package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * The live canary's verdict on a candidate version, with its evidence, on {@link Topics#CANARY_DECISIONS} keyed by
 * {@link #key()}. Serving applies it (promote: the candidate serves everyone; rollback: it is unloaded), the trainer
 * continues from the promoted version and never from a rolled-back one.
 *
 * @param reason     {@code sprt} when the sequential test crossed a bound, {@code vote_limit} or {@code time_limit}
 *                   when the canary reached its bound undecided and the configured default action was taken
 * @param choices    A/B choices between the parent's and the candidate's answer; {@code candidateWins} of them
 *                   picked the candidate's
 * @param logLikelihoodRatio the test statistic when deciding (see feedback's {@code CanarySprt})
 * @param effect     δ, the thumbs-up rate difference the test is powered for
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CanaryDecision(
        int schema,
        String policy,
        long candidateVersion,
        long parentVersion,
        Action action,
        String reason,
        long candidateVotes,
        long candidateUps,
        long parentVotes,
        long parentUps,
        long choices,
        long candidateWins,
        double logLikelihoodRatio,
        double lowerBound,
        double upperBound,
        double alpha,
        double beta,
        double effect,
        Instant decidedAt) {

    public static final int SCHEMA = 1;

    /** What serving does with the candidate. */
    public enum Action { PROMOTE, ROLLBACK }

    public CanaryDecision {
        Require.text(policy, "policy");
        Require.present(action, "action");
        Require.text(reason, "reason");
        Require.present(decidedAt, "decidedAt");
    }

    @JsonIgnore
    public String key() {
        return CanaryArm.key(policy, candidateVersion);
    }

    @JsonIgnore
    public double candidateRate() {
        return candidateVotes == 0 ? Double.NaN : (double) candidateUps / candidateVotes;
    }

    @JsonIgnore
    public double parentRate() {
        return parentVotes == 0 ? Double.NaN : (double) parentUps / parentVotes;
    }
}
