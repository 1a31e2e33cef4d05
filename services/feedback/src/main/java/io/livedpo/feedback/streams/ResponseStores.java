package io.livedpo.feedback.streams;

import io.livedpo.events.ResponseEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The stores of the join stage, shared by the processor that reads responses and the one that reads lookups:
 * responses by id (a window store, so retention is Kafka Streams' segment expiry) and the lookups waiting for
 * theirs, keyed by response id so that a response finds them with a point read.
 *
 * <p>Until this layout the waiting lookups were kept one per entry under {@code responseId|feedbackId|side}
 * ({@link #LEGACY_PENDING}), and every response ran a prefix scan for them: each store iterator makes Kafka Streams
 * register and remove its open-iterator metric, which cost more than the scan. That store stays registered for one
 * release so an upgraded app still honours the lookups it held: each instance moves whatever it holds into
 * {@link #PENDING} before its first read or write, after which it stays empty (nothing writes it any more).
 */
final class ResponseStores {

    static final String RESPONSES = "responses";
    static final String PENDING = "pending-by-response";
    /** The earlier layout, drained on first use; remove in the release after the one that introduced PENDING. */
    static final String LEGACY_PENDING = "pending-lookups";

    private final WindowStore<String, ResponseEvent> responses;
    private final KeyValueStore<String, HeldLookups> pending;
    private final KeyValueStore<String, HeldLookup> legacyPending;
    private boolean legacyDrained;
    // Only the lookup processor's instance holds and expires, so its bound sees every hold.
    private final OldestEntry oldestHeld = new OldestEntry();

    ResponseStores(ProcessorContext<?, ?> context) {
        this.responses = context.getStateStore(RESPONSES);
        this.pending = context.getStateStore(PENDING);
        this.legacyPending = context.getStateStore(LEGACY_PENDING);
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
        drainLegacy();
        HeldLookups waiting = pending.get(lookup.responseId());
        HeldLookup held = new HeldLookup(lookup, nowMs);
        pending.put(lookup.responseId(), waiting == null ? new HeldLookups(List.of(held)) : waiting.with(held));
        oldestHeld.added(nowMs);
    }

    /** Removes and returns the lookups that waited for this response. */
    List<Lookup> release(String responseId) {
        drainLegacy();
        HeldLookups waiting = pending.get(responseId);
        if (waiting == null) {
            return List.of();
        }
        pending.delete(responseId);
        return waiting.held().stream().map(HeldLookup::lookup).toList();
    }

    /** Removes and returns the lookups held since before {@code cutoffMs}. */
    List<Lookup> expire(long cutoffMs) {
        drainLegacy();
        if (!oldestHeld.anyBefore(cutoffMs)) {
            return List.of();
        }
        List<KeyValue<String, HeldLookups>> changed = new ArrayList<>();
        List<Lookup> expired = new ArrayList<>();
        long oldestKept = Long.MAX_VALUE;
        try (KeyValueIterator<String, HeldLookups> all = pending.all()) {
            while (all.hasNext()) {
                KeyValue<String, HeldLookups> entry = all.next();
                HeldLookups kept = entry.value.since(cutoffMs);
                if (kept.held().size() != entry.value.held().size()) {
                    entry.value.held().stream().filter(h -> h.heldAtMs() < cutoffMs)
                            .forEach(h -> expired.add(h.lookup()));
                    changed.add(KeyValue.pair(entry.key, kept));
                }
                oldestKept = Math.min(oldestKept, kept.oldestMs());
            }
        }
        oldestHeld.swept(oldestKept);
        changed.forEach(entry -> {
            if (entry.value.held().isEmpty()) {
                pending.delete(entry.key);
            } else {
                pending.put(entry.key, entry.value);
            }
        });
        return expired;
    }

    /**
     * Moves what the earlier layout holds into {@link #PENDING}, keeping each lookup's hold time (so its grace runs
     * on from when it started waiting). One scan per instance: afterwards the legacy store has no writer.
     */
    private void drainLegacy() {
        if (legacyDrained) {
            return;
        }
        List<KeyValue<String, HeldLookup>> held = new ArrayList<>();
        try (KeyValueIterator<String, HeldLookup> all = legacyPending.all()) {
            all.forEachRemaining(held::add);
        }
        for (KeyValue<String, HeldLookup> entry : held) {
            String responseId = entry.value.lookup().responseId();
            HeldLookups waiting = pending.get(responseId);
            pending.put(responseId, waiting == null ? new HeldLookups(List.of(entry.value))
                    : waiting.with(entry.value));
            legacyPending.delete(entry.key);
            oldestHeld.added(entry.value.heldAtMs());
        }
        legacyDrained = true;
    }
}
