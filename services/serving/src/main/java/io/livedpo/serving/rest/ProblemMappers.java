package io.livedpo.serving.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import io.livedpo.serving.engine.OverloadedException;
import io.livedpo.serving.service.InvalidRequestException;
import io.livedpo.serving.service.ServiceUnavailableException;
import io.livedpo.serving.service.UnknownPolicyException;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error the chat API returns, as application/problem+json. */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return Problem.response(Response.Status.BAD_REQUEST, e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return malformed(e);
    }

    /** What the framework raises itself (unreadable body, unknown path, wrong method), as problem+json too. */
    @ServerExceptionMapper
    public Response framework(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformed(json);
        }
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        return Problem.response(status != null ? status : Response.Status.BAD_REQUEST, e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining(".")).replace(".[", "[")
                : null;
        return Problem.response(Response.Status.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(), field);
    }

    @ServerExceptionMapper
    public Response unknownPolicy(UnknownPolicyException e) {
        return Problem.response(Response.Status.NOT_FOUND, e.getMessage(), "model");
    }

    @ServerExceptionMapper
    public Response overloaded(OverloadedException e) {
        return Problem.retryLater(Response.Status.TOO_MANY_REQUESTS, e.getMessage(), 1);
    }

    @ServerExceptionMapper
    public Response unavailable(ServiceUnavailableException e) {
        return Problem.retryLater(Response.Status.SERVICE_UNAVAILABLE, e.getMessage(), 5);
    }
}
