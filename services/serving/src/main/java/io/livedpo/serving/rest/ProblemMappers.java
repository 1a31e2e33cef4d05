package io.livedpo.serving.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.livedpo.events.problem.ProblemType;
import io.livedpo.serving.engine.OverloadedException;
import io.livedpo.serving.service.InvalidRequestException;
import io.livedpo.serving.service.ServiceUnavailableException;
import io.livedpo.serving.service.UnknownPolicyException;
import io.livedpo.serving.service.VersionNotLoadedException;
import io.livedpo.events.problem.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error the chat API returns, as application/problem+json. */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return ProblemResponses.response(ProblemType.INVALID, e.getMessage(), e.field());
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
        return ProblemResponses.status(e.getResponse().getStatusInfo(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining(".")).replace(".[", "[")
                : null;
        return ProblemResponses.response(ProblemType.INVALID, "malformed JSON: " + e.getOriginalMessage(), field);
    }

    @ServerExceptionMapper
    public Response unknownPolicy(UnknownPolicyException e) {
        return ProblemResponses.response(ProblemType.NOT_FOUND, e.getMessage(), "model");
    }

    @ServerExceptionMapper
    public Response versionNotLoaded(VersionNotLoadedException e) {
        return Response.status(ProblemType.VERSION_NOT_LOADED.status()).type(Problem.MEDIA_TYPE)
                .entity(Problem.versionNotLoaded(e.getMessage(), e.loaded())).build();
    }

    @ServerExceptionMapper
    public Response overloaded(OverloadedException e) {
        return ProblemResponses.retryLater(ProblemType.OVERLOADED, e.getMessage(), 1);
    }

    @ServerExceptionMapper
    public Response unavailable(ServiceUnavailableException e) {
        return ProblemResponses.retryLater(ProblemType.UNAVAILABLE, e.getMessage(), 5);
    }
}
