package io.livedpo.feedback.health;

import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.feedback.config.FeedbackConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready = both halves can work: the pairing topology is RUNNING (or REBALANCING, which is part of running), and the
 * broker the REST side produces to answers. Otherwise Kubernetes should send no feedback here: it would only get
 * 503s, and pairs would not be made.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    /** Probes run every few seconds; a slow answer is as bad as none, and must not stack up. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final KafkaStreams streams;
    private final Admin admin;
    private final Duration timeout;

    KafkaReadiness(KafkaStreams streams, FeedbackConfig config, KafkaClientProperties kafka) {
        this.streams = streams;
        // Never longer than a request would wait for its ack: readiness must not claim more patience than REST has.
        this.timeout = PROBE_TIMEOUT.compareTo(config.kafka().sendTimeout()) < 0 ? PROBE_TIMEOUT
                : config.kafka().sendTimeout();
        int timeoutMs = Math.toIntExact(timeout.toMillis());
        // The REST producer's own connection settings: reachability is checked against the broker it writes to.
        this.admin = Admin.create(kafka.with(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "livedpo-feedback-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs)));
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        boolean reachable = brokerReachable();
        return HealthCheckResponse.named("kafka")
                .status(state.isRunningOrRebalancing() && reachable)
                .withData("streams", state.name())
                .withData("broker", reachable ? "reachable" : "unreachable")
                .build();
    }

    private boolean brokerReachable() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(Math.toIntExact(timeout.toMillis())))
                    .nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @PreDestroy
    void close() {
        admin.close(Duration.ZERO);
    }
}
