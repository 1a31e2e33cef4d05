package io.livedpo.feedback.streams;

import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;

/**
 * One standing thumbs vote on a response. {@code voter} identifies who cast it, so that the same voter's next
 * vote on the same response replaces it (last vote wins); anonymous votes are each their own voter.
 */
public record StandingVote(ResponseEvent response, String voter, String userBucket, Rating rating, long feedbackAtMs) {

    static StandingVote of(Resolved resolved) {
        var feedback = resolved.feedback();
        String voter = feedback.userId() == null ? "feedback:" + feedback.feedbackId() : "user:" + feedback.userId();
        return new StandingVote(resolved.response(), voter, UserCap.bucketOf(feedback), feedback.rating(),
                feedback.createdAt().toEpochMilli());
    }

    boolean sameVoterAndResponse(StandingVote other) {
        return voter.equals(other.voter) && response.responseId().equals(other.response.responseId());
    }
}
