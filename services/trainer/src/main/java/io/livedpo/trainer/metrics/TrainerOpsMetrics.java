package io.livedpo.trainer.metrics;

import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.events.metrics.BuildInfo;
import io.livedpo.events.metrics.ConsumerLagMeter;
import io.livedpo.events.metrics.PrometheusNaming;
import io.livedpo.trainer.config.TrainerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The trainer's build and its consumer group's lag on the pairs topic (what KEDA scales the trainer on). */
@ApplicationScoped
public class TrainerOpsMetrics {

    private final MeterRegistry meters;
    private final TrainerConfig config;
    private final KafkaClientProperties kafka;
    private final String version;
    private ConsumerLagMeter lag;

    public TrainerOpsMetrics(MeterRegistry meters, TrainerConfig config,
                      KafkaClientProperties kafka,
                      @ConfigProperty(name = "quarkus.application.version") String version) {
        this.meters = meters;
        this.config = config;
        this.kafka = kafka;
        this.version = version;
    }

    /** Help texts promtool accepts, on every meter of the registry. */
    @Produces
    @Singleton
    static MeterFilter prometheusHelp() {
        return new PrometheusNaming();
    }

    void start(@Observes StartupEvent event) {
        BuildInfo.register(meters, "trainer", version);
        lag = ConsumerLagMeter.start(meters, kafka, config.groupId(), List.of(config.pairsTopic()),
                Duration.ofSeconds(10));
    }

    void stop(@Observes ShutdownEvent event) {
        if (lag != null) {
            lag.close();
        }
    }
}
