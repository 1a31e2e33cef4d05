package io.livedpo.testing.kafka;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Kafka in a Docker container (apache/kafka image, KRaft). Only this class touches Testcontainers, so the
 * optional dependency is needed only by builds that choose it.
 */
final class ContainerKafka implements KafkaBroker {

    /** Same Kafka line as the clients the Quarkus BOM manages. */
    static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.1.1");

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    static ContainerKafka start() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("-D" + KafkaBrokers.MODE_PROPERTY + "=testcontainers needs Docker, "
                    + "but no Docker daemon is reachable here. Start Docker, or drop the property to use the "
                    + "embedded broker.");
        }
        KafkaContainer container = new KafkaContainer(IMAGE);
        container.start();
        return new ContainerKafka(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String description() {
        return "Testcontainers " + IMAGE + " at " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
