package io.livedpo.trainer.messaging;

import io.livedpo.events.CanaryDecision;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Topics;
import io.livedpo.trainer.service.CanaryLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.livedpo.events.kafka.KafkaClientProperties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads every live-canary decision (the compacted {@link Topics#CANARY_DECISIONS}, from the start, no consumer group)
 * into the {@link CanaryLedger}. {@link #start} first reads up to the end (bounded), so that a trainer that restarts
 * knows every rollback before it picks the version to continue from; then it follows on its own thread.
 */
public final class CanaryDecisionReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CanaryDecisionReader.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<String, CanaryDecision> consumer;
    private final CanaryLedger ledger;
    private volatile boolean running;
    private Thread thread;

    public CanaryDecisionReader(KafkaClientProperties kafka, CanaryLedger ledger) {
        this.consumer = new KafkaConsumer<>(kafka.with(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // The contract's set-up creates it compacted; a broker's auto-creation would not.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                // Bounds each metadata lookup, so a missing broker cannot hold start-up for the client's minute.
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                ConsumerConfig.CLIENT_ID_CONFIG, "livedpo-trainer-canary-decisions")),
                new StringDeserializer(), new JsonDeserializer<>(CanaryDecision.class));
        this.ledger = ledger;
    }

    /** Catches up with the decisions so far (at most {@code catchUp}), then follows new ones in the background. */
    public void start(Duration catchUp) {
        Instant deadline = Instant.now().plus(catchUp);
        boolean assigned = false;
        try {
            assigned = assign();
            if (assigned) {
                Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
                while (Instant.now().isBefore(deadline) && ends.entrySet().stream()
                        .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                    pollOnce();
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read canary decisions yet (%s); following in the background", e.getMessage());
        }
        running = true;
        boolean ready = assigned;
        thread = new Thread(() -> follow(ready), "livedpo-canary-decisions");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow(boolean assigned) {
        try {
            while (running && !assigned) {
                try {
                    assigned = assign();
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    assigned = false; // no broker yet
                }
                if (!assigned) {
                    // Retrying a missing topic: feedback (or the deployment's topic set-up) creates it.
                    java.util.concurrent.locks.LockSupport.parkNanos(POLL.toNanos());
                }
            }
            while (running) {
                pollOnce();
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("canary decision reader stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void pollOnce() {
        try {
            for (ConsumerRecord<String, CanaryDecision> r : consumer.poll(POLL)) {
                ledger.record(r.value());
            }
        } catch (RecordDeserializationException e) {
            LOG.warnf("skipping a malformed canary decision at %s offset %d: %s", e.topicPartition(), e.offset(),
                    e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
        }
    }

    private boolean assign() {
        List<PartitionInfo> partitions = consumer.partitionsFor(Topics.CANARY_DECISIONS);
        if (partitions == null || partitions.isEmpty()) {
            return false;
        }
        List<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(all);
        consumer.seekToBeginning(all);
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            consumer.wakeup();
            thread.join(Duration.ofSeconds(10).toMillis());
        } else {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
