package io.livedpo.trainer.health;

import io.livedpo.trainer.service.TrainerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only with the base model loaded and the consumer polling: otherwise pairs would pile up unseen. */
@Readiness
@ApplicationScoped
public class TrainerReadiness implements HealthCheck {

    private final TrainerRuntime runtime;

    public TrainerReadiness(TrainerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("trainer").status(runtime.ready()).build();
    }
}
