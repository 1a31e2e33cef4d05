package io.livedpo.feedback.rest;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.feedback.messaging.FeedbackPublisher;
import io.livedpo.feedback.service.IdempotencyCache;
import io.livedpo.feedback.service.PolicyStats;
import io.livedpo.feedback.service.RateLimiter;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Thumbs and A/B choices in. A 202 means the event is on the broker (acks=all); any other answer means nothing
 * was recorded. Checks run cheapest first: size, then shape, then the caller's rate, then the send.
 */
@Path("/v1/feedback")
public class FeedbackResource {

    private final FeedbackConfig config;
    private final FeedbackPublisher publisher;
    private final IdempotencyCache idempotency;
    private final RateLimiter rateLimiter;
    private final PolicyStats stats;

    FeedbackResource(FeedbackConfig config, FeedbackPublisher publisher, IdempotencyCache idempotency,
                     RateLimiter rateLimiter, PolicyStats stats) {
        this.config = config;
        this.publisher = publisher;
        this.idempotency = idempotency;
        this.rateLimiter = rateLimiter;
        this.stats = stats;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    // Reading the body stream and the producer's bounded metadata wait both block: keep them off the event loop.
    @Blocking
    public CompletionStage<Response> thumbs(InputStream body, @HeaderParam("Idempotency-Key") String idempotencyKey,
                                            @Context HttpServerRequest request) {
        return accept(body, idempotencyKey, request, RequestParser::thumbs);
    }

    @POST
    @Path("/pairwise")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public CompletionStage<Response> pairwise(InputStream body, @HeaderParam("Idempotency-Key") String idempotencyKey,
                                              @Context HttpServerRequest request) {
        return accept(body, idempotencyKey, request, RequestParser::pairwise);
    }

    @GET
    @Path("/stats")
    @Produces(MediaType.APPLICATION_JSON)
    public PolicyStats.Snapshot stats() {
        return stats.snapshot();
    }

    private CompletionStage<Response> accept(InputStream body, String idempotencyKey, HttpServerRequest request,
                                             Function<byte[], ? extends FeedbackRequest> parser) {
        byte[] bytes = readLimited(body);
        FeedbackRequest parsed = parser.apply(bytes);
        String client = parsed.userId() != null ? "user:" + parsed.userId()
                : "addr:" + request.remoteAddress().hostAddress();
        Duration wait = rateLimiter.acquire(client);
        if (!wait.isZero()) {
            throw new ProblemException(429, "rate_limited", "Too many requests",
                    "Too much feedback from " + (parsed.userId() != null ? "this user" : "this address")
                            + "; retry after the Retry-After delay", null, wait);
        }
        CompletionStage<FeedbackEvent> sent = idempotencyKey == null || idempotencyKey.isBlank()
                ? send(parsed.toEvent(newId(), Instant.now()))
                : idempotency.submit(request.path() + ' ' + idempotencyKey, sha256(bytes),
                        () -> parsed.toEvent(newId(), Instant.now()), publisher::publish);
        return sent.thenApply(event -> Response.accepted(Map.of("feedback_id", event.feedbackId())).build());
    }

    private CompletionStage<FeedbackEvent> send(FeedbackEvent event) {
        return publisher.publish(event).thenApply(ok -> event);
    }

    private byte[] readLimited(InputStream body) {
        int limit = config.http().maxBodyBytes();
        try {
            byte[] bytes = body.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new ProblemException(413, "too_large", "Request body too large",
                        "The body exceeds " + limit + " bytes", null, null);
            }
            return bytes;
        } catch (IOException e) {
            throw ProblemException.invalid(null, "The body could not be read");
        }
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
