package io.livedpo.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A second test class, using the plain @ExtendWith form: it must get the broker the other class got. */
@ExtendWith(KafkaBrokerExtension.class)
class SharedKafkaBrokerTest {

    private static KafkaBroker fromBeforeAll;

    @BeforeAll
    static void remember(KafkaBroker broker) {
        fromBeforeAll = broker;
    }

    @Test
    void secondClassGetsTheSameBroker(KafkaBroker broker) {
        assertSame(fromBeforeAll, broker);
        // Compared with the JVM-wide singleton rather than with what another class saw first, so it can fail in
        // whichever class runs first: a broker started per class is not the shared one.
        assertSame(KafkaBrokers.shared(), broker);
    }

    @Test
    void closingTheInjectedBrokerLeavesItRunningForOthers(KafkaBroker broker) {
        broker.close();

        broker.createTopic("still-running-" + System.nanoTime(), 1, Map.of());
    }

    @Test
    void quarkusResourcePointsAtTheSharedBroker(KafkaBroker broker) {
        Map<String, String> config = new KafkaBrokerResource().start();

        assertEquals(broker.bootstrapServers(), config.get("kafka.bootstrap.servers"));
        assertEquals(broker.bootstrapServers(), config.get("quarkus.kafka-streams.bootstrap-servers"));
    }
}
