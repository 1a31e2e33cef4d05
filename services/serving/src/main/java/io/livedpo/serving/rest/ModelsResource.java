package io.livedpo.serving.rest;

import io.livedpo.serving.engine.PolicyVersion;
import io.livedpo.serving.service.PolicyRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.List;

/** {@code GET /v1/models}: the policies in OpenAI's list shape, each with its active version. */
@Path("/v1/models")
public class ModelsResource {

    public record ModelList(String object, List<Model> data) {
    }

    public record Model(String id, String object, long created, String owned_by, String version) {
    }

    private final PolicyRegistry registry;

    public ModelsResource(PolicyRegistry registry) {
        this.registry = registry;
    }

    @GET
    public ModelList list() {
        List<Model> models = registry.policies().stream().map(policy -> {
            PolicyVersion v = registry.active(policy);
            long created = v.metadata() == null ? 0 : v.metadata().createdAt().getEpochSecond();
            return new Model(policy, "model", created, "livedpo", String.valueOf(v.version()));
        }).toList();
        return new ModelList("list", models);
    }
}
