package io.livedpo.serving.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.livedpo.serving.config.ServingConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * {@code GET /v1/config}: what the chat page needs to know that only the deployment knows. The page is static files,
 * so it asks here rather than having the feedback service's address baked in at build time.
 */
@Path("/v1/config")
public class ConfigResource {

    public record ClientConfig(@JsonProperty("feedback_url") String feedbackUrl) {
    }

    private final ServingConfig config;

    public ConfigResource(ServingConfig config) {
        this.config = config;
    }

    @GET
    public ClientConfig get() {
        return new ClientConfig(config.feedbackUrl());
    }
}
