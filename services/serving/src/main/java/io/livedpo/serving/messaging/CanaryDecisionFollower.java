package io.livedpo.serving.messaging;

import io.livedpo.events.CanaryDecision;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Topics;
import io.livedpo.serving.service.LiveCanary;
import io.livedpo.serving.support.Daemons;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import io.livedpo.events.kafka.KafkaClientProperties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads {@link Topics#CANARY_DECISIONS} from the start (no consumer group: every replica applies every decision) and
 * hands each to {@link LiveCanary}. Started always: a replica that never runs a canary just remembers the verdicts.
 */
@ApplicationScoped
public class CanaryDecisionFollower {

    private static final Logger LOG = Logger.getLogger(CanaryDecisionFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final LiveCanary liveCanary;
    private final KafkaClientProperties kafka;
    private volatile boolean running;
    private Thread thread;

    public CanaryDecisionFollower(LiveCanary liveCanary, KafkaClientProperties kafka) {
        this.liveCanary = liveCanary;
        this.kafka = kafka;
    }

    void start(@Observes @Priority(5000) StartupEvent event) {
        running = true;
        thread = Daemons.start("livedpo-canary-decisions", this::run);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(Duration.ofSeconds(10).toMillis());
        }
    }

    private void run() {
        Map<String, Object> props = kafka.with(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // The contract's set-up creates it compacted; a broker's auto-creation would not.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "livedpo-serving-canary-decisions"));
        try (KafkaConsumer<String, CanaryDecision> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new JsonDeserializer<>(CanaryDecision.class))) {
            while (running && !WholeTopic.assign(consumer, Topics.CANARY_DECISIONS)) {
                pause(); // the topic does not exist until feedback (or a topic set-up) creates it
            }
            while (running) {
                try {
                    for (ConsumerRecord<String, CanaryDecision> r : consumer.poll(POLL)) {
                        liveCanary.apply(r.value());
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warnf("skipping a malformed canary decision at %s offset %d: %s", e.topicPartition(),
                            e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("canary decision follower stopped", e);
        }
    }

    private void pause() {
        try {
            // Retrying a missing topic or broker; nothing else depends on this thread.
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
