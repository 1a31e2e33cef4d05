package io.livedpo.feedback.rest;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.Rating;
import java.time.Instant;

/** A validated request body of one of the two feedback endpoints. */
sealed interface FeedbackRequest {

    String userId();

    FeedbackEvent toEvent(String feedbackId, Instant now);

    record Thumbs(String responseId, Rating rating, String userId, String comment) implements FeedbackRequest {
        @Override
        public FeedbackEvent toEvent(String feedbackId, Instant now) {
            return FeedbackEvent.thumbs(feedbackId, responseId, rating, userId, comment, now);
        }
    }

    record Pairwise(String chosenResponseId, String rejectedResponseId, String userId) implements FeedbackRequest {
        @Override
        public FeedbackEvent toEvent(String feedbackId, Instant now) {
            return FeedbackEvent.pairwise(feedbackId, chosenResponseId, rejectedResponseId, userId, now);
        }
    }
}
