package io.livedpo.serving.messaging;

import io.livedpo.events.kafka.KafkaClientProperties;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/** The connection and authentication settings every Kafka client of serving starts from. */
@ApplicationScoped
public class ServingKafkaClients {

    @Produces
    @Singleton
    KafkaClientProperties kafka(Config config) {
        return KafkaClientProperties.from(config);
    }
}
