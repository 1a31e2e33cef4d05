package io.livedpo.feedback.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livedpo.events.kafka.KafkaClientProperties;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams is configured by Quarkus, not built by hand, so it gets the shared connection settings from
 * application.properties: every key the other clients share must be mapped there, or Streams alone would connect
 * without the cluster's login.
 */
class StreamsClientSettingsTest {

    @Test
    void streamsMapsEverySharedClientSetting() throws IOException {
        Properties props = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            props.load(in);
        }
        for (String key : KafkaClientProperties.SHARED) {
            if (key.equals(KafkaClientProperties.BOOTSTRAP_SERVERS)) {
                assertEquals("${kafka.bootstrap.servers}", props.getProperty("quarkus.kafka-streams.bootstrap-servers"));
            } else {
                assertEquals("${kafka." + key + ":}", props.getProperty("kafka-streams." + key), key);
            }
        }
    }
}
