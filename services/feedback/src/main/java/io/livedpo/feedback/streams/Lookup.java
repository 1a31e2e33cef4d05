package io.livedpo.feedback.streams;

import io.livedpo.events.FeedbackEvent;

/** A request to join {@code feedback} with one of its responses; keyed by that response's id. */
public record Lookup(FeedbackEvent feedback, Side side) {

    public String responseId() {
        return switch (side) {
            case RATED -> feedback.responseId();
            case CHOSEN -> feedback.chosenResponseId();
            case REJECTED -> feedback.rejectedResponseId();
        };
    }
}
