package io.livedpo.feedback.rest;

import io.livedpo.events.IdFormat;
import io.livedpo.events.problem.ProblemType;
import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.feedback.service.FeedbackIntake;
import io.livedpo.feedback.service.PolicyStats;
import io.livedpo.feedback.service.Verdict;
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
import java.util.Map;
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

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    // Reading the body stream and the producer's bounded metadata wait both block: keep them off the event loop.
    @Blocking
    public CompletionStage<Response> thumbs(InputStream body, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
                                            @Context HttpServerRequest request) {
        return accept(body, idempotencyKey, request, RequestParser::thumbs);
    }

    @POST
    @Path("/pairwise")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public CompletionStage<Response> pairwise(InputStream body, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
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
                                             Function<byte[], ? extends Verdict> parser) {
        Verdict verdict = parser.apply(readLimited(body));
        return intake.submit(verdict, request.remoteAddress().hostAddress(), idempotencyKey(idempotencyKey))
                .thenApply(event -> Response.accepted(Map.of("feedback_id", event.feedbackId())).build());
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

    private byte[] readLimited(InputStream body) {
        int limit = config.http().maxBodyBytes();
        try {
            byte[] bytes = body.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new ProblemException(ProblemType.TOO_LARGE, "The body exceeds " + limit + " bytes", null, null);
            }
            return bytes;
        } catch (IOException e) {
            throw ProblemException.invalid(null, "The body could not be read");
        }
    }
}
