package io.livedpo.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

class KafkaBrokersTest {

    @Test
    void testcontainersModeWithoutDockerSaysSo() {
        assumeTrue(System.getenv(KafkaBrokers.BOOTSTRAP_ENV) == null, "an external broker takes precedence");
        assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "Docker is here, so the container would start");
        String before = System.getProperty(KafkaBrokers.MODE_PROPERTY);
        System.setProperty(KafkaBrokers.MODE_PROPERTY, "testcontainers");
        try {
            IllegalStateException failure = assertThrows(IllegalStateException.class, KafkaBrokers::start);
            assertTrue(failure.getMessage().contains("no Docker daemon is reachable"), failure.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(KafkaBrokers.MODE_PROPERTY);
            } else {
                System.setProperty(KafkaBrokers.MODE_PROPERTY, before);
            }
        }
    }
}
