package io.livedpo.feedback.streams;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.ResponseEvent;

/** A lookup joined with its response; keyed by {@link #promptKey()} so that everything about one prompt meets. */
public record Resolved(FeedbackEvent feedback, Side side, ResponseEvent response) {

    static Resolved of(Lookup lookup, ResponseEvent response) {
        return new Resolved(lookup.feedback(), lookup.side(), response);
    }

    public String promptKey() {
        return response.policy() + '|' + response.promptHash();
    }
}
