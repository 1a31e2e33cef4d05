package io.livedpo.feedback.service;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.Rating;
import java.time.Instant;

/** One validated user verdict, before it becomes an event: a thumbs vote or an A/B choice. */
public sealed interface Verdict {

    /** The user who gave it, or null for an anonymous user. */
    String userId();

    FeedbackEvent toEvent(String feedbackId, Instant now);

    record Thumbs(String responseId, Rating rating, String userId, String comment) implements Verdict {
        @Override
        public FeedbackEvent toEvent(String feedbackId, Instant now) {
            return FeedbackEvent.thumbs(feedbackId, responseId, rating, userId, comment, now);
        }
    }

    record Pairwise(String chosenResponseId, String rejectedResponseId, String userId) implements Verdict {
        @Override
        public FeedbackEvent toEvent(String feedbackId, Instant now) {
            return FeedbackEvent.pairwise(feedbackId, chosenResponseId, rejectedResponseId, userId, now);
        }
    }
}
