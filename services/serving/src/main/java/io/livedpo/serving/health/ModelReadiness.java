package io.livedpo.serving.health;

import io.livedpo.serving.service.PolicyRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the base model is loaded: before that, every chat request would fail. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {

    private final PolicyRegistry registry;

    public ModelReadiness(PolicyRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("model").status(registry.ready());
        if (registry.ready()) {
            for (String policy : registry.policies()) {
                builder.withData(policy, registry.active(policy).label());
            }
        }
        return builder.build();
    }
}
