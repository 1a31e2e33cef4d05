package io.livedpo.feedback.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.livedpo.common.Sha256;
import io.livedpo.events.EventJson;
import io.livedpo.events.FeedbackEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Accepts one verdict: counts it against its client's rate, then appends it to the feedback log once, however often
 * a client retries under the same {@code Idempotency-Key}. Transport-free: the REST resource parses, this decides.
 */
@ApplicationScoped
public class FeedbackIntake {

    private final FeedbackLog log;
    private final IdempotencyCache idempotency;
    private final RateLimiter rateLimiter;

    FeedbackIntake(FeedbackLog log, IdempotencyCache idempotency, RateLimiter rateLimiter) {
        this.log = log;
        this.idempotency = idempotency;
        this.rateLimiter = rateLimiter;
    }

    /**
     * The event as appended, or a failed stage: {@link IdempotencyConflictException} when the key was used for
     * another verdict, or the log's failure. Throws {@link RateLimitedException} before anything is sent.
     *
     * @param idempotencyKey null when the client sent none
     */
    public CompletionStage<FeedbackEvent> submit(Verdict verdict, String remoteAddress, String idempotencyKey) {
        ClientIdentity client = ClientIdentity.of(verdict, remoteAddress);
        Duration wait = rateLimiter.acquire(client.key());
        if (!wait.isZero()) {
            throw new RateLimitedException(client, wait);
        }
        if (idempotencyKey == null) {
            FeedbackEvent event = newEvent(verdict);
            return log.append(event).thenApply(ok -> event);
        }
        // Scoped by kind, so the same key on the thumbs and the A/B endpoint are two requests.
        String scope = verdict.getClass().getSimpleName() + ' ' + idempotencyKey;
        return idempotency.submit(scope, fingerprint(verdict), () -> newEvent(verdict), log::append);
    }

    private static FeedbackEvent newEvent(Verdict verdict) {
        return verdict.toEvent(UUID.randomUUID().toString(), Instant.now());
    }

    /** The verdict's content, not the body's bytes: a retry that only re-orders or re-spaces the JSON is the same. */
    private static String fingerprint(Verdict verdict) {
        try {
            return Sha256.hex(EventJson.MAPPER.writeValueAsBytes(verdict));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a verdict always serializes", e);
        }
    }
}
