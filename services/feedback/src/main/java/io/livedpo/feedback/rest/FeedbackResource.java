package io.livedpo.feedback.rest;

import io.livedpo.events.IdFormat;
import io.livedpo.events.problem.ProblemType;
import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.feedback.service.FeedbackIntake;
import io.livedpo.feedback.service.PolicyStats;
import io.livedpo.feedback.service.Verdict;
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
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Thumbs and A/B choices in, over HTTP. A 202 means the event is on the broker (acks=all); any other answer means
 * nothing was recorded. Checks run cheapest first: size, then shape, then (in {@link FeedbackIntake}) the caller's
 * rate, then the send.
 */
@Path("/v1/feedback")
public class FeedbackResource {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final FeedbackConfig config;
    private final FeedbackIntake intake;
    private final PolicyStats stats;

    FeedbackResource(FeedbackConfig config, FeedbackIntake intake, PolicyStats stats) {
        this.config = config;
        this.intake = intake;
        this.stats = stats;
    }

    // Non-blocking, on the event loop: RESTEasy Reactive has read the whole body (up to the outer
    // quarkus.http.limits.max-body-size) before calling, the checks are CPU only, and the stage completes on the
    // producer's acknowledgement; nothing waits on a worker thread per vote (FeedbackLog keeps a send that could
    // wait for metadata off this thread).
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> thumbs(byte[] body, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
                                            @Context HttpServerRequest request) {
        return accept(body, idempotencyKey, request, RequestParser::thumbs);
    }

    @POST
    @Path("/pairwise")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> pairwise(byte[] body, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
                                              @Context HttpServerRequest request) {
        return accept(body, idempotencyKey, request, RequestParser::pairwise);
    }

    @GET
    @Path("/stats")
    @Produces(MediaType.APPLICATION_JSON)
    public PolicyStats.Snapshot stats() {
        return stats.snapshot();
    }

    private CompletionStage<Response> accept(byte[] body, String idempotencyKey, HttpServerRequest request,
                                             Function<byte[], ? extends Verdict> parser) {
        Verdict verdict = parser.apply(readLimited(body));
        return intake.submit(verdict, request.remoteAddress().hostAddress(), idempotencyKey(idempotencyKey))
                .thenApply(event -> Response.accepted(acceptedBody(event.feedbackId())).build());
    }

    /**
     * {@code {"feedback_id":"..."}}, written directly rather than by Jackson through RESTEasy's writer lookup for a
     * map on every vote: the id is a UUID the intake made, so it needs no escaping.
     */
    static String acceptedBody(String feedbackId) {
        return "{\"feedback_id\":\"" + feedbackId + "\"}";
    }

    private static String idempotencyKey(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        if (!IdFormat.valid(header)) {
            throw ProblemException.invalid(IDEMPOTENCY_KEY, IDEMPOTENCY_KEY + " must be " + IdFormat.RULE);
        }
        return header;
    }

    private byte[] readLimited(byte[] body) {
        int limit = config.http().maxBodyBytes();
        if (body == null) {
            return new byte[0];
        }
        if (body.length > limit) {
            throw new ProblemException(ProblemType.TOO_LARGE, "The body exceeds " + limit + " bytes", null, null);
        }
        return body;
    }
}
