package io.livedpo.feedback.streams;

import io.livedpo.events.ResponseEvent;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Keeps each response for the retention and releases the feedback that arrived before it. */
final class ResponseJoiner extends ContextualProcessor<String, ResponseEvent, String, Resolved> {

    private ResponseStores stores;

    @Override
    public void init(ProcessorContext<String, Resolved> context) {
        super.init(context);
        stores = new ResponseStores(context);
    }

    @Override
    public void process(Record<String, ResponseEvent> record) {
        ResponseEvent response = record.value();
        stores.put(response);
        for (Lookup lookup : stores.release(response.responseId())) {
            Resolved resolved = Resolved.of(lookup, response);
            context().forward(record.withKey(resolved.promptKey()).withValue(resolved));
        }
    }
}
