package io.livedpo.local;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulated users saw and did, by the model version that served each answer: the thumbs-up rate per version
 * is the learning curve, and the accepted-vote count is what the feedback service must account for.
 */
public final class VoteLedger {

    private final Map<Long, Tally> byVersion = new ConcurrentHashMap<>();
    private final Map<Long, Instant> firstServed = new ConcurrentHashMap<>();
    private final AtomicLong acceptedThumbs = new AtomicLong();
    private final AtomicLong acceptedChoices = new AtomicLong();
    private final LongAdder refused = new LongAdder();
    private final LongAdder chatFailures = new LongAdder();

    /** Thumbs votes on answers of one version. */
    public record Tally(long up, long down) {
        public long votes() {
            return up + down;
        }

        /** NaN without votes. */
        public double upRate() {
            return votes() == 0 ? Double.NaN : (double) up / votes();
        }
    }

    void served(long version, Instant at) {
        firstServed.putIfAbsent(version, at);
    }

    /** A thumbs vote the feedback service accepted (202). */
    void thumbsAccepted(long version, boolean up) {
        acceptedThumbs.incrementAndGet();
        byVersion.merge(version, up ? new Tally(1, 0) : new Tally(0, 1),
                (a, b) -> new Tally(a.up + b.up, a.down + b.down));
    }

    void choiceAccepted() {
        acceptedChoices.incrementAndGet();
    }

    /** Feedback the service refused (rate limit, unavailable): not accepted, so not owed an accounting. */
    void refused() {
        refused.increment();
    }

    void chatFailed() {
        chatFailures.increment();
    }

    public Tally tally(long version) {
        return byVersion.getOrDefault(version, new Tally(0, 0));
    }

    /** When an answer of this version was first seen by a user, if one was. */
    public Instant firstServed(long version) {
        return firstServed.get(version);
    }

    /** Every version whose answer a user has seen. */
    public Set<Long> servedVersions() {
        return Set.copyOf(firstServed.keySet());
    }

    public long acceptedThumbs() {
        return acceptedThumbs.get();
    }

    public long acceptedChoices() {
        return acceptedChoices.get();
    }

    public long refusedFeedback() {
        return refused.sum();
    }

    public long chatFailures() {
        return chatFailures.sum();
    }
}
