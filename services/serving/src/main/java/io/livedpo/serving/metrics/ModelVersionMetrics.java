package io.livedpo.serving.metrics;

import io.livedpo.events.metrics.BuildInfo;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.serving.service.UnknownPolicyException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What an operator asks of a replica: which build it runs ({@code livedpo_build_info}), which version each policy
 * serves as a number ({@code livedpo_serving_active_version}, comparable across replicas, unlike the
 * {@code version} label of {@code livedpo_serving_model_info}), and how often it was rolled back.
 */
@ApplicationScoped
public class ModelVersionMetrics {

    private final MeterRegistry meters;
    private final PolicyRegistry registry;
    private final ServingConfig config;
    private final String version;

    public ModelVersionMetrics(MeterRegistry meters, PolicyRegistry registry, ServingConfig config,
                               @ConfigProperty(name = "quarkus.application.version") String version) {
        this.meters = meters;
        this.registry = registry;
        this.config = config;
        this.version = version;
    }

    void start(@Observes StartupEvent event) {
        BuildInfo.register(meters, "serving", version);
        for (String policy : config.policies()) {
            Gauge.builder("livedpo.serving.active.version", registry, r -> activeVersion(r, policy))
                    .description("version of the policy this replica serves new requests with (0: base model)")
                    .tags("policy", policy).register(meters);
            rollbacks(policy); // present at 0 from the start, so increase() sees the first rollback
        }
    }

    /** An operator or the trainer returned the policy to its previous version. */
    public void rolledBack(String policy) {
        rollbacks(policy).increment();
    }

    private Counter rollbacks(String policy) {
        return Counter.builder("livedpo.serving.model.rollbacks").description("rollbacks to the previous version")
                .tags("policy", policy).register(meters);
    }

    private static double activeVersion(PolicyRegistry registry, String policy) {
        try {
            return registry.ready() ? registry.active(policy).version() : Double.NaN;
        } catch (UnknownPolicyException e) {
            return Double.NaN; // scraped while the registry is still opening its slots
        }
    }
}
