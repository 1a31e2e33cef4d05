package io.livedpo.feedback.streams;

import io.livedpo.events.ResponseEvent;
import io.livedpo.feedback.service.FeedbackObserver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Joins a lookup with its response, or holds it for the grace period. The grace runs on wall-clock time: feedback
 * for a response that never comes must expire even when no other record arrives to move stream time.
 */
final class LookupJoiner extends ContextualProcessor<String, Lookup, String, Resolved> {

    private final PairingConfig config;
    private final FeedbackObserver observer;
    private ResponseStores stores;

    LookupJoiner(PairingConfig config, FeedbackObserver observer) {
        this.config = config;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<String, Resolved> context) {
        super.init(context);
        stores = new ResponseStores(context);
        context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, Lookup> record) {
        Lookup lookup = record.value();
        ResponseEvent response = stores.find(lookup.responseId());
        if (response == null) {
            stores.hold(lookup, context().currentSystemTimeMs());
            return;
        }
        Resolved resolved = Resolved.of(lookup, response);
        context().forward(record.withKey(resolved.promptKey()).withValue(resolved));
    }

    private void expire(long nowMs) {
        stores.expire(nowMs - config.feedbackGrace().toMillis()).forEach(lookup -> observer.unmatched());
    }
}
