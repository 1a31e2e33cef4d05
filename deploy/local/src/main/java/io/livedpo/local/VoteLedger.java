package io.livedpo.local;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulated users saw and did, by the model version that served each answer: the thumbs-up rate per version
 * is the learning curve, and the accepted-vote count is what the feedback service must account for. For the fault
 * runner it also keeps every accepted vote's {@code feedback_id} (the ledger the topics are reconciled against) and
 * the time of every chat answer and chat failure.
 */
public final class VoteLedger {

    private final Map<Long, Tally> byVersion = new ConcurrentHashMap<>();
    private final Map<Long, Instant> firstServed = new ConcurrentHashMap<>();
    private final AtomicLong acceptedThumbs = new AtomicLong();
    private final AtomicLong acceptedChoices = new AtomicLong();
    private final LongAdder refused = new LongAdder();
    private final LongAdder chatFailures = new LongAdder();
    private final Queue<AcceptedVote> acceptedVotes = new ConcurrentLinkedQueue<>();
    private final Queue<Instant> chatAnswers = new ConcurrentLinkedQueue<>();
    private final Queue<ChatFailure> chatFailureLog = new ConcurrentLinkedQueue<>();

    /**
     * A vote feedback answered 202, with the {@code feedback_id} it returned and the responses it names (one for
     * thumbs, chosen then rejected for an A/B choice).
     */
    public record AcceptedVote(String feedbackId, List<String> responseIds, Instant at) {
        public AcceptedVote {
            responseIds = List.copyOf(responseIds);
        }
    }

    /** A chat request that got no answer (connection refused, reset, non-200), from the replica it was sent to. */
    public record ChatFailure(String servingUrl, Instant at) {
    }

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

    void answered(Instant at) {
        chatAnswers.add(at);
    }

    void served(long version, Instant at) {
        firstServed.putIfAbsent(version, at);
    }

    /** Any vote the feedback service accepted (202), by its id: the reconciliation's ledger. */
    void accepted(AcceptedVote vote) {
        acceptedVotes.add(vote);
    }

    /**
     * A thumbs vote the feedback service accepted (202); {@code tallied}: it counts in its version's thumbs-up rate
     * (an honest user's first vote on the answer).
     */
    void thumbsAccepted(long version, boolean up, boolean tallied) {
        acceptedThumbs.incrementAndGet();
        if (!tallied) {
            return;
        }
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

    void chatFailed(String servingUrl, Instant at) {
        chatFailures.increment();
        chatFailureLog.add(new ChatFailure(servingUrl, at));
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

    /** Every accepted vote so far, in no particular order. */
    public List<AcceptedVote> acceptedVotes() {
        return List.copyOf(acceptedVotes);
    }

    /** When each chat request that was answered (200) came back. */
    public List<Instant> chatAnswers() {
        return List.copyOf(chatAnswers);
    }

    public List<ChatFailure> chatFailureLog() {
        return List.copyOf(chatFailureLog);
    }
}
