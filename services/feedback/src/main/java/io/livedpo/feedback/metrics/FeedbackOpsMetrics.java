package io.livedpo.feedback.metrics;

import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.events.metrics.BuildInfo;
import io.livedpo.events.metrics.ConsumerLagMeter;
import io.livedpo.events.metrics.PrometheusNaming;
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

/**
 * The feedback service's build and the lag of its Streams app (the consumer group is the application id) on the
 * responses and feedback topics.
 */
@ApplicationScoped
public class FeedbackOpsMetrics {

    private final MeterRegistry meters;
    private final KafkaClientProperties kafka;
    private final String applicationId;
    private final String version;
    private ConsumerLagMeter lag;

    public FeedbackOpsMetrics(MeterRegistry meters,
                      KafkaClientProperties kafka,
                      @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId,
                      @ConfigProperty(name = "quarkus.application.version") String version) {
        this.meters = meters;
        this.kafka = kafka;
        this.applicationId = applicationId;
        this.version = version;
    }

    /** Help texts promtool accepts, on every meter of the registry. */
    @Produces
    @Singleton
    static MeterFilter prometheusHelp() {
        return new PrometheusNaming();
    }

    void start(@Observes StartupEvent event) {
        BuildInfo.register(meters, "feedback", version);
        lag = ConsumerLagMeter.start(meters, kafka, applicationId, List.of(Topics.RESPONSES,
                Topics.FEEDBACK), Duration.ofSeconds(10));
    }

    void stop(@Observes ShutdownEvent event) {
        if (lag != null) {
            lag.close();
        }
    }
}
