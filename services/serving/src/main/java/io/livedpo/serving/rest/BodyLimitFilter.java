package io.livedpo.serving.rest;

import io.livedpo.events.problem.ProblemType;
import io.livedpo.serving.config.ServingConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a declared body over the limit with 413 problem+json before reading it. Bodies without a length are capped
 * by quarkus.http.limits.max-body-size, a little above this limit.
 */
public class BodyLimitFilter {

    private final long maxBodyBytes;

    public BodyLimitFilter(ServingConfig config) {
        this.maxBodyBytes = config.limits().maxBodyBytes();
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> limit(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null && Long.parseLong(length.trim()) > maxBodyBytes) {
            return Optional.of(ProblemResponses.response(ProblemType.TOO_LARGE,
                    "request body of " + length.trim() + " bytes exceeds the limit of " + maxBodyBytes, null));
        }
        return Optional.empty();
    }
}
