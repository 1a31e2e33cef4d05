package io.livedpo.feedback.canary;

/**
 * One live-canary experiment's votes so far, as the judge's state store keeps it (JSON).
 *
 * @param firstVoteAtMs wall-clock time of its first vote: the undecided-time bound counts from here
 * @param decided       a decision was announced; later votes are ignored
 */
public record CanaryTally(String policy, long candidate, long parent, long candidateVotes, long candidateUps,
                          long parentVotes, long parentUps, long firstVoteAtMs, boolean decided) {

    public static CanaryTally start(String policy, long candidate, long parent, long nowMs) {
        return new CanaryTally(policy, candidate, parent, 0, 0, 0, 0, nowMs, false);
    }

    /** This tally with one more thumbs vote on {@code version} ({@code up}: a thumbs-up). */
    public CanaryTally vote(long version, boolean up) {
        int ups = up ? 1 : 0;
        return version == candidate
                ? new CanaryTally(policy, candidate, parent, candidateVotes + 1, candidateUps + ups, parentVotes,
                parentUps, firstVoteAtMs, decided)
                : new CanaryTally(policy, candidate, parent, candidateVotes, candidateUps, parentVotes + 1,
                parentUps + ups, firstVoteAtMs, decided);
    }

    public CanaryTally markDecided() {
        return new CanaryTally(policy, candidate, parent, candidateVotes, candidateUps, parentVotes, parentUps,
                firstVoteAtMs, true);
    }
}
