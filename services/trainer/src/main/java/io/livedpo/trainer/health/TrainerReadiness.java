package io.livedpo.trainer.health;

import io.livedpo.trainer.wiring.TrainerLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only with the base model loaded and the consumer polling: otherwise pairs would pile up unseen. */
@Readiness
@ApplicationScoped
public class TrainerReadiness implements HealthCheck {

    private final TrainerLoop loop;

    public TrainerReadiness(TrainerLoop loop) {
        this.loop = loop;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("trainer").status(loop.ready()).build();
    }
}
