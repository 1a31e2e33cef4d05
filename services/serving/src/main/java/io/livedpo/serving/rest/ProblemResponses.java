package io.livedpo.serving.rest;

import io.livedpo.events.problem.Problem;
import io.livedpo.events.problem.ProblemType;
import jakarta.ws.rs.core.Response;

/** The chat API's {@link Problem} answers; the types are the ones every service shares. */
final class ProblemResponses {

    private ProblemResponses() {
    }

    static Response response(ProblemType type, String detail, String field) {
        return Response.status(type.status()).type(Problem.MEDIA_TYPE).entity(Problem.of(type, detail, field)).build();
    }

    static Response retryLater(ProblemType type, String detail, int seconds) {
        return Response.fromResponse(response(type, detail, null)).header("Retry-After", seconds).build();
    }

    /** What the HTTP framework refused itself, with no meaning beyond the status. */
    static Response status(Response.StatusType status, String detail) {
        return Response.status(status.getStatusCode()).type(Problem.MEDIA_TYPE)
                .entity(Problem.ofStatus(status.getStatusCode(), status.getReasonPhrase(), detail)).build();
    }
}
