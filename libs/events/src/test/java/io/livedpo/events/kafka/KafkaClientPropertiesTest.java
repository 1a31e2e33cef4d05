package io.livedpo.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KafkaClientPropertiesTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";";

    private static KafkaClientProperties of(Map<String, String> config) {
        return KafkaClientProperties.from(name -> Optional.ofNullable(config.get(name)));
    }

    @Test
    void takesOnlyTheSharedKeysAndSkipsBlankOnes() {
        KafkaClientProperties kafka = of(Map.of("kafka.bootstrap.servers", "k:9093",
                "kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.jaas.config", JAAS, "kafka.ssl.truststore.type", "",
                "kafka.acks", "0", "kafka.group.id", "someone-else"));
        assertEquals(Map.of("bootstrap.servers", "k:9093", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS), kafka.asMap());
    }

    @Test
    void aClientAddsItsOwnSettingsButCannotOverrideASharedOne() {
        KafkaClientProperties kafka = of(Map.of("kafka.bootstrap.servers", "k:9093",
                "kafka.security.protocol", "SASL_SSL"));
        Map<String, Object> producer = kafka.with(Map.of("acks", "all"));
        assertEquals(Map.of("bootstrap.servers", "k:9093", "security.protocol", "SASL_SSL", "acks", "all"), producer);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kafka.with(Map.of("security.protocol", "PLAINTEXT")));
        assertTrue(e.getMessage().contains("kafka.security.protocol"), e.getMessage());
    }

    @Test
    void withoutBootstrapServersThereIsNoClient() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> of(Map.of("kafka.security.protocol", "SASL_SSL")));
        assertTrue(e.getMessage().contains("kafka.bootstrap.servers"), e.getMessage());
    }

    @Test
    void secretsNeverReachTheLog() {
        String printed = of(Map.of("kafka.bootstrap.servers", "k:9093", "kafka.sasl.jaas.config", JAAS,
                "kafka.ssl.truststore.password", "hunter2")).toString();
        assertFalse(printed.contains("password=\"p\"") || printed.contains("hunter2"), printed);
        assertTrue(printed.contains("k:9093"), printed);
    }
}
