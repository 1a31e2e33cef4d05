package io.livedpo.feedback.messaging;

import io.livedpo.events.TopicContract;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.feedback.config.FeedbackConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Creates the Kafka contract's topics ({@link TopicContract}) when they are missing, so a fresh local broker just works.
 * Production clusters declare them (Strimzi KafkaTopic); then this finds them all present.
 *
 * <p>Never blocks startup: with no broker the app must still start (readiness DOWN, REST answers 503) rather than
 * fail or hang, so Kubernetes keeps the pod and routes to it once Kafka is back. The admin client retries the
 * request by itself until the broker answers or the app stops; Kafka Streams waits for the topics meanwhile.
 */
@ApplicationScoped
public class TopicCreator {

    private static final Logger LOG = Logger.getLogger(TopicCreator.class);
    private Admin admin;

    void onStart(@Observes StartupEvent event, FeedbackConfig config, KafkaClientProperties kafka) {
        if (!config.kafka().createTopics()) {
            return;
        }
        admin = Admin.create(kafka.with(Map.of(
                // Keep retrying for as long as the app runs: a broker that starts after this app still gets its topics.
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE)));
        // The whole contract, not only this service's topics: a deployment that lets the services create topics
        // must get the same set (DLQs, the compacted checkpoints topic) as one that declares them.
        List<NewTopic> topics = TopicContract.newTopics(config.kafka().partitions(), config.kafka().replicationFactor());
        admin.createTopics(topics).values().forEach((name, created) -> created.whenComplete((ok, failure) -> {
            if (failure == null) {
                LOG.infof("Created topic %s", name);
            } else if (!(failure instanceof TopicExistsException)) {
                LOG.warnf(failure, "Could not create topic %s; Kafka Streams waits until it exists", name);
            }
        }));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (admin != null) {
            // Zero: abandon a creation still waiting for an absent broker instead of delaying shutdown.
            admin.close(Duration.ZERO);
        }
    }
}
