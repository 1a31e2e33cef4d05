package io.livedpo.feedback.messaging;

import io.livedpo.events.Topics;
import io.livedpo.feedback.config.FeedbackConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Creates the topics this service reads and writes when they are missing, so a fresh local broker just works.
 * Production clusters declare them (Strimzi KafkaTopic); then this finds them all present.
 */
@ApplicationScoped
public class TopicCreator {

    private static final Logger LOG = Logger.getLogger(TopicCreator.class);
    private static final List<String> TOPICS = List.of(Topics.RESPONSES, Topics.FEEDBACK, Topics.PAIRS,
            Topics.deadLetter(Topics.RESPONSES), Topics.deadLetter(Topics.FEEDBACK));

    void onStart(@Observes StartupEvent event, FeedbackConfig config) {
        if (!config.kafka().createTopics()) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            for (String topic : TOPICS) {
                create(admin, new NewTopic(topic, config.kafka().partitions(), config.kafka().replicationFactor()));
            }
        }
    }

    private static void create(Admin admin, NewTopic topic) {
        try {
            admin.createTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
            LOG.infof("Created topic %s", topic.name());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf(e.getCause(), "Could not create topic %s; Kafka Streams waits until it exists", topic.name());
            }
        } catch (TimeoutException e) {
            LOG.warnf("Broker did not answer creating topic %s; Kafka Streams waits until it exists", topic.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
