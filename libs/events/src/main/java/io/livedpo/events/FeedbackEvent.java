package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * One user verdict, as it goes to {@link Topics#FEEDBACK} keyed by {@link #key()}. Either a thumbs vote
 * ({@code responseId} + {@code rating}) or an A/B choice ({@code chosenResponseId} + {@code rejectedResponseId}),
 * never both.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FeedbackEvent(
        int schema,
        String feedbackId,
        String responseId,
        Rating rating,
        String chosenResponseId,
        String rejectedResponseId,
        String userId,
        String comment,
        Instant createdAt) {

    public static final int SCHEMA = 1;

    public FeedbackEvent {
        Require.text(feedbackId, "feedbackId");
        Require.present(createdAt, "createdAt");
        boolean thumbs = responseId != null || rating != null;
        boolean pairwise = chosenResponseId != null || rejectedResponseId != null;
        if (thumbs == pairwise) {
            throw new IllegalArgumentException(
                    "either responseId + rating or chosenResponseId + rejectedResponseId is required, not both");
        }
        if (thumbs) {
            Require.text(responseId, "responseId");
            Require.present(rating, "rating");
        } else {
            Require.text(chosenResponseId, "chosenResponseId");
            Require.text(rejectedResponseId, "rejectedResponseId");
        }
    }

    public static FeedbackEvent thumbs(String feedbackId, String responseId, Rating rating, String userId,
                                       String comment, Instant createdAt) {
        return new FeedbackEvent(SCHEMA, feedbackId, responseId, rating, null, null, userId, comment, createdAt);
    }

    public static FeedbackEvent pairwise(String feedbackId, String chosenResponseId, String rejectedResponseId,
                                         String userId, Instant createdAt) {
        return new FeedbackEvent(SCHEMA, feedbackId, null, null, chosenResponseId, rejectedResponseId, userId, null,
                createdAt);
    }

    @JsonIgnore
    public boolean isPairwise() {
        return chosenResponseId != null;
    }

    /** The record key: the rated response, or the chosen one of an A/B choice. */
    @JsonIgnore
    public String key() {
        return isPairwise() ? chosenResponseId : responseId;
    }
}
