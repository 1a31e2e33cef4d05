package io.livedpo.testing.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} application at the shared test broker:
 * {@code @QuarkusTestResource(KafkaBrokerResource.class)} or {@code @WithTestResource(KafkaBrokerResource.class)}.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String bootstrap = KafkaBrokers.shared().bootstrapServers();
        return Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "quarkus.kafka-streams.bootstrap-servers", bootstrap);
    }

    @Override
    public void stop() {
        // Quarkus stops resources whenever it restarts the application (e.g. per test profile); the broker is
        // shared with the next application and stopped at JVM exit instead.
    }
}
