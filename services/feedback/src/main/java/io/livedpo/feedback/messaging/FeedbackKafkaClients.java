package io.livedpo.feedback.messaging;

import io.livedpo.events.kafka.KafkaClientProperties;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * The connection and authentication settings every hand-built Kafka client of feedback starts from; Kafka Streams
 * gets the same keys from application.properties ({@code kafka-streams.<key>=${kafka.<key>:}}).
 */
@ApplicationScoped
public class FeedbackKafkaClients {

    @Produces
    @Singleton
    KafkaClientProperties kafka(Config config) {
        return KafkaClientProperties.from(config);
    }
}
