package io.livedpo.feedback.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live unless the topology has died for good (ERROR: all stream threads gone), which only a restart cures. Waiting
 * for an absent broker or for topics is not death: a restart would not help, so that is readiness' business.
 * Replaces Quarkus' own Kafka Streams checks, which report a topology still waiting for its broker as not live.
 */
@Liveness
@ApplicationScoped
public class StreamsLiveness implements HealthCheck {

    private final KafkaStreams streams;

    StreamsLiveness(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        return HealthCheckResponse.named("kafka-streams")
                .status(state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR)
                .withData("state", state.name())
                .build();
    }
}
