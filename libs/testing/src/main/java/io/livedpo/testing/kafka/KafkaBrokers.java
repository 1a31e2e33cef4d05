package io.livedpo.testing.kafka;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which broker tests use. In order: an external one named by {@value #BOOTSTRAP_ENV}; a Docker
 * container when {@code -D}{@value #MODE_PROPERTY}{@code =testcontainers}; otherwise an embedded KRaft broker.
 */
public final class KafkaBrokers {

    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String MODE_PROPERTY = "livedpo.kafka";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokers.class);

    private static SharedBroker shared;

    static {
        // Quarkus test resources have no end-of-run callback; the hook removes the broker's data even then.
        Runtime.getRuntime().addShutdownHook(new Thread(KafkaBrokers::closeShared, "livedpo-kafka-shutdown"));
    }

    private KafkaBrokers() {
    }

    /** A new broker owned by the caller, who must close it. */
    public static KafkaBroker start() {
        String external = System.getenv(BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
            return new ExternalKafka(external.trim());
        }
        if ("testcontainers".equals(System.getProperty(MODE_PROPERTY))) {
            return startContainer();
        }
        return EmbeddedKafka.start();
    }

    /**
     * The broker shared by every test in this JVM (per class loader), started on first use. Starting a broker
     * per test class would cost seconds each; tests keep apart by using their own topic names.
     */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            KafkaBroker broker = start();
            LOG.info("Shared Kafka for this test JVM: {}", broker.description());
            shared = new SharedBroker(broker);
        }
        return shared;
    }

    /** Stops the shared broker, if one was started; a later shared() starts a fresh one. */
    static synchronized void closeShared() {
        if (shared != null) {
            SharedBroker closing = shared;
            shared = null;
            closing.delegate().close();
        }
    }

    private static KafkaBroker startContainer() {
        try {
            Class.forName("org.testcontainers.kafka.KafkaContainer", false, KafkaBrokers.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("-D" + MODE_PROPERTY + "=testcontainers needs "
                    + "org.testcontainers:testcontainers-kafka on the test class path", e);
        }
        return ContainerKafka.start();
    }

    /** What callers of shared() get: closing it must not stop the broker under other test classes. */
    private record SharedBroker(KafkaBroker delegate) implements KafkaBroker {

        @Override
        public Map<String, String> clientProperties() {
            return delegate.clientProperties();
        }

        @Override
        public String bootstrapServers() {
            return delegate.bootstrapServers();
        }

        @Override
        public String description() {
            return delegate.description();
        }

        @Override
        public void close() {
            // Owned by KafkaBrokers; stopped at the end of the test run.
        }
    }
}
