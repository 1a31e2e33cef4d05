package io.livedpo.feedback.streams;

import java.util.ArrayList;
import java.util.List;

/**
 * The lookups waiting for one response, oldest first: the value of the pending store, keyed by that response's id,
 * so that the response finds them with one point read instead of a prefix scan. A lookup is identified by its
 * feedback id and side; holding one again (a redelivered record) replaces it, as the per-lookup key of the earlier
 * layout did.
 */
public record HeldLookups(List<HeldLookup> held) {

    HeldLookups with(HeldLookup added) {
        List<HeldLookup> next = new ArrayList<>(held.size() + 1);
        for (HeldLookup h : held) {
            if (!sameLookup(h.lookup(), added.lookup())) {
                next.add(h);
            }
        }
        next.add(added);
        return new HeldLookups(List.copyOf(next));
    }

    /** Those held since {@code cutoffMs} or later. */
    HeldLookups since(long cutoffMs) {
        return new HeldLookups(held.stream().filter(h -> h.heldAtMs() >= cutoffMs).toList());
    }

    /** The earliest hold time, {@link Long#MAX_VALUE} when empty. */
    long oldestMs() {
        long oldest = Long.MAX_VALUE;
        for (HeldLookup h : held) {
            oldest = Math.min(oldest, h.heldAtMs());
        }
        return oldest;
    }

    private static boolean sameLookup(Lookup a, Lookup b) {
        return a.side() == b.side() && a.feedback().feedbackId().equals(b.feedback().feedbackId());
    }
}
