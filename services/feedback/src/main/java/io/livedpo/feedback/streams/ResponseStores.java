package io.livedpo.feedback.streams;

import io.livedpo.events.ResponseEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The two stores of the join stage, shared by the processor that reads responses and the one that reads lookups:
 * responses by id (a window store, so retention is Kafka Streams' segment expiry) and lookups waiting for theirs.
 */
final class ResponseStores {

    static final String RESPONSES = "responses";
    static final String PENDING = "pending-lookups";

    private static final StringSerializer KEYS = new StringSerializer();

    private final WindowStore<String, ResponseEvent> responses;
    private final KeyValueStore<String, HeldLookup> pending;
    // Only the lookup processor's instance holds and expires, so its bound sees every hold.
    private final OldestEntry oldestHeld = new OldestEntry();

    ResponseStores(ProcessorContext<?, ?> context) {
        this.responses = context.getStateStore(RESPONSES);
        this.pending = context.getStateStore(PENDING);
    }

    void put(ResponseEvent response) {
        responses.put(response.responseId(), response, response.createdAt().toEpochMilli());
    }

    ResponseEvent find(String responseId) {
        try (WindowStoreIterator<ResponseEvent> found = responses.fetch(responseId, 0L, Long.MAX_VALUE)) {
            return found.hasNext() ? found.next().value : null;
        }
    }

    void hold(Lookup lookup, long nowMs) {
        pending.put(pendingKey(lookup), new HeldLookup(lookup, nowMs));
        oldestHeld.added(nowMs);
    }

    /** Removes and returns the lookups that waited for this response. */
    List<Lookup> release(String responseId) {
        List<Lookup> released = new ArrayList<>();
        try (KeyValueIterator<String, HeldLookup> held = pending.prefixScan(responseId + '|', KEYS)) {
            held.forEachRemaining(entry -> {
                // The prefix also matches ids that merely start with this one.
                if (entry.value.lookup().responseId().equals(responseId)) {
                    released.add(entry.value.lookup());
                }
            });
        }
        released.forEach(lookup -> pending.delete(pendingKey(lookup)));
        return released;
    }

    /** Removes and returns the lookups held since before {@code cutoffMs}. */
    List<Lookup> expire(long cutoffMs) {
        if (!oldestHeld.anyBefore(cutoffMs)) {
            return List.of();
        }
        List<KeyValue<String, HeldLookup>> expired = new ArrayList<>();
        long oldestKept = Long.MAX_VALUE;
        try (KeyValueIterator<String, HeldLookup> all = pending.all()) {
            while (all.hasNext()) {
                KeyValue<String, HeldLookup> entry = all.next();
                if (entry.value.heldAtMs() < cutoffMs) {
                    expired.add(entry);
                } else {
                    oldestKept = Math.min(oldestKept, entry.value.heldAtMs());
                }
            }
        }
        oldestHeld.swept(oldestKept);
        expired.forEach(entry -> pending.delete(entry.key));
        return expired.stream().map(entry -> entry.value.lookup()).toList();
    }

    private static String pendingKey(Lookup lookup) {
        return lookup.responseId() + '|' + lookup.feedback().feedbackId() + '|' + lookup.side();
    }
}
