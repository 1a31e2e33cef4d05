package io.livedpo.feedback.streams;

import java.util.List;

/** The standing votes on one prompt (oldest first) and when its recent thumbs pairs were made. */
public record PromptVotes(List<StandingVote> votes, List<Long> pairedAtMs) {

    static final PromptVotes EMPTY = new PromptVotes(List.of(), List.of());

    /** Drops what fell out of the pairing window. */
    PromptVotes since(long cutoffMs) {
        return new PromptVotes(
                votes.stream().filter(vote -> vote.feedbackAtMs() >= cutoffMs).toList(),
                pairedAtMs.stream().filter(pairedAt -> pairedAt >= cutoffMs).toList());
    }

    /** The earliest vote or pair time, {@link Long#MAX_VALUE} when empty. */
    long oldestMs() {
        long oldest = Long.MAX_VALUE;
        for (StandingVote vote : votes) {
            oldest = Math.min(oldest, vote.feedbackAtMs());
        }
        for (long pairedAt : pairedAtMs) {
            oldest = Math.min(oldest, pairedAt);
        }
        return oldest;
    }

    boolean isEmpty() {
        return votes.isEmpty() && pairedAtMs.isEmpty();
    }
}
