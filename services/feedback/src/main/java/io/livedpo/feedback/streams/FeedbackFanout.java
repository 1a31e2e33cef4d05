package io.livedpo.feedback.streams;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.feedback.service.FeedbackObserver;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.KeyValue;

/** Turns a feedback event into one lookup per response it names, keyed by that response's id. */
final class FeedbackFanout {

    static final String SELF_PAIR = "self_pair";

    private final FeedbackObserver observer;

    FeedbackFanout(FeedbackObserver observer) {
        this.observer = observer;
    }

    List<KeyValue<String, Lookup>> lookups(FeedbackEvent feedback) {
        if (!feedback.isPairwise()) {
            observer.feedbackReceived(feedback.rating().name().toLowerCase(Locale.ROOT));
            return List.of(keyed(new Lookup(feedback, Side.RATED)));
        }
        observer.feedbackReceived("pairwise");
        if (feedback.chosenResponseId().equals(feedback.rejectedResponseId())) {
            observer.rejected(SELF_PAIR);
            return List.of();
        }
        return List.of(keyed(new Lookup(feedback, Side.CHOSEN)), keyed(new Lookup(feedback, Side.REJECTED)));
    }

    private static KeyValue<String, Lookup> keyed(Lookup lookup) {
        return KeyValue.pair(lookup.responseId(), lookup);
    }
}
