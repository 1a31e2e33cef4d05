package io.livedpo.feedback.canary;

/**
 * One live-canary experiment's evidence so far, as the judge's state store keeps it (in the topology's binary
 * {@code InternalSerde} layout): thumbs votes per arm, and A/B choices between the two arms with the candidate's wins.
 *
 * @param firstVoteAtMs wall-clock time of its first vote: the undecided-time bound counts from here
 * @param decided       a decision was announced; later votes are ignored
 */
public record CanaryTally(String policy, long candidate, long parent, long candidateVotes, long candidateUps,
                          long parentVotes, long parentUps, long choices, long candidateWins, long firstVoteAtMs,
                          boolean decided) {

    public static CanaryTally start(String policy, long candidate, long parent, long nowMs) {
        return new CanaryTally(policy, candidate, parent, 0, 0, 0, 0, 0, 0, nowMs, false);
    }

    /** This tally with one more thumbs vote on {@code version} ({@code up}: a thumbs-up). */
    public CanaryTally vote(long version, boolean up) {
        int ups = up ? 1 : 0;
        return version == candidate
                ? new CanaryTally(policy, candidate, parent, candidateVotes + 1, candidateUps + ups, parentVotes,
                parentUps, choices, candidateWins, firstVoteAtMs, decided)
                : new CanaryTally(policy, candidate, parent, candidateVotes, candidateUps, parentVotes + 1,
                parentUps + ups, choices, candidateWins, firstVoteAtMs, decided);
    }

    /** This tally with one more A/B choice between the arms ({@code candidateWon}: the candidate's answer chosen). */
    public CanaryTally choice(boolean candidateWon) {
        return new CanaryTally(policy, candidate, parent, candidateVotes, candidateUps, parentVotes, parentUps,
                choices + 1, candidateWins + (candidateWon ? 1 : 0), firstVoteAtMs, decided);
    }

    public CanaryTally markDecided() {
        return new CanaryTally(policy, candidate, parent, candidateVotes, candidateUps, parentVotes, parentUps,
                choices, candidateWins, firstVoteAtMs, true);
    }

    public CanarySprt.Verdict evaluate(CanarySprt test) {
        return test.evaluate(candidateVotes, candidateUps, parentVotes, parentUps, choices, candidateWins);
    }
}
