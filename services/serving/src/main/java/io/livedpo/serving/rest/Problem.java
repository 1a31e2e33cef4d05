package io.livedpo.serving.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

/** An RFC 9457 problem body; {@code field} names the request field at fault when there is one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {

    static final String MEDIA_TYPE = "application/problem+json";

    static Response response(Response.Status status, String detail, String field) {
        String slug = status.getReasonPhrase().toLowerCase().replace(' ', '-');
        return Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem("https://livedpo.io/problems/" + slug, status.getReasonPhrase(),
                        status.getStatusCode(), detail, field))
                .build();
    }

    static Response retryLater(Response.Status status, String detail, int seconds) {
        return Response.fromResponse(response(status, detail, null)).header("Retry-After", seconds).build();
    }
}
