package io.livedpo.feedback.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.feedback.config.FeedbackConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Remembers, per {@code Idempotency-Key}, the event a request produced, so a retry gets the same feedback id and
 * no second event. Bounded and in memory (per replica, lost on restart, entries expire after the TTL): a client
 * retrying against another replica or after the TTL may produce a second event, which the pairing absorbs (votes
 * replace votes, pair ids deduplicate). A retry after a failed send re-sends the same event, never a new one.
 */
@ApplicationScoped
public class IdempotencyCache {

    private final Cache<String, Attempt> attempts;

    public IdempotencyCache(FeedbackConfig config) {
        this.attempts = Caffeine.newBuilder()
                .expireAfterWrite(config.http().idempotencyTtl())
                .maximumSize(config.http().idempotencyMaxEntries())
                .build();
    }

    /**
     * Sends {@code fresh} under {@code key} unless an earlier request with that key was acknowledged or is in
     * flight, in which case its outcome is shared. {@code fingerprint} identifies the request body: reusing a key
     * for a different body is the client's bug and fails with {@link IdempotencyConflictException}.
     */
    public CompletionStage<FeedbackEvent> submit(String key, String fingerprint, Supplier<FeedbackEvent> fresh,
                                                 Function<FeedbackEvent, CompletionStage<Void>> send) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        Attempt current = attempts.asMap().compute(key, (k, previous) -> {
            if (previous == null) {
                return new Attempt(fingerprint, fresh.get(), mine);
            }
            if (previous.fingerprint.equals(fingerprint) && previous.ack.isCompletedExceptionally()) {
                return new Attempt(fingerprint, previous.event, mine);
            }
            return previous;
        });
        if (!current.fingerprint.equals(fingerprint)) {
            return CompletableFuture.failedFuture(new IdempotencyConflictException(key));
        }
        if (current.ack == mine) {
            send.apply(current.event).whenComplete((ok, failure) -> {
                if (failure == null) {
                    mine.complete(null);
                } else {
                    mine.completeExceptionally(failure);
                }
            });
        }
        return current.ack.thenApply(ok -> current.event);
    }

    private record Attempt(String fingerprint, FeedbackEvent event, CompletableFuture<Void> ack) {
    }
}
