package io.livedpo.trainer.messaging;

import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.MalformedEventException;
import io.livedpo.events.PreferencePair;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.Partition;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.trainer.service.TrainingSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * The training loop's thread: polls pairs (read_committed, no auto-commit), hands them to the session, dead-letters
 * poison, and commits offsets only after the checkpoint holding those pairs is durable. On a revoke, on shutdown and
 * when a checkpoint is due, it trains what is buffered, checkpoints, commits, and only then lets go.
 */
public final class PairConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PairConsumer.class);

    private final ConsumerSettings settings;
    private final TrainingSession session;
    private final DeadLetters deadLetters;
    private final TrainerMetrics metrics;
    private final JsonDeserializer<PreferencePair> pairs = new JsonDeserializer<>(PreferencePair.class);
    /** Next offset to commit per partition: everything before it was processed. Only the loop thread touches it. */
    private final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
    private final Thread thread;
    private volatile boolean running;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Instant lastCommit = Instant.now();
    /** The assignment as of the last rebalance, readable from any thread (the consumer itself is not). */
    private volatile Set<TopicPartition> assigned = Set.of();

    public PairConsumer(ConsumerSettings settings, TrainingSession session, DeadLetters deadLetters,
                        TrainerMetrics metrics) {
        this.settings = settings;
        this.session = session;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.thread = new Thread(this::run, "livedpo-trainer-" + settings.groupId());
    }

    public void start() {
        consumer = new KafkaConsumer<>(settings.kafka().with(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // A checkpoint round (train the buffer, write, KL probe) must fit between polls.
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread.start();
    }

    /** True while the loop polls; false before start, after stop, and after a fatal error. */
    public boolean running() {
        return running && thread.isAlive();
    }

    public Set<TopicPartition> assignment() {
        return assigned;
    }

    /** Graceful: finishes the current step, checkpoints, commits, leaves the group. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread.isAlive()) {
            thread.join();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(settings.topic()), new Rebalance());
            while (running) {
                Set<TopicPartition> paused = new HashSet<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(settings.pollTimeout())) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (!paused.contains(tp) && !handle(r, tp)) {
                        paused.add(tp);
                    }
                }
                session.leaveRolledBackLines();
                session.trainDue();
                Instant now = Instant.now();
                if (session.checkpointDue(now) || (!processed.isEmpty()
                        && Duration.between(lastCommit, now).compareTo(settings.commitEvery()) >= 0)) {
                    checkpointAndCommit();
                }
            }
        } catch (WakeupException e) {
            // close() asked the loop to stop; the final checkpoint follows.
        } catch (RuntimeException | IOException e) {
            LOG.error("the training loop failed; offsets since the last checkpoint stay uncommitted", e);
            running = false;
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            return;
        }
        try {
            checkpointAndCommit();
        } catch (RuntimeException | IOException e) {
            LOG.error("final checkpoint failed; its pairs will be consumed again", e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        }
    }

    /** False when the record's policy is halted: the partition is rewound to it and paused. */
    private boolean handle(ConsumerRecord<byte[], byte[]> r, TopicPartition tp) throws IOException {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        try {
            PreferencePair pair = pairs.deserialize(r.topic(), r.value());
            if (pair == null) { // a tombstone: the deserializer passes null through, and the loop must not die on it
                deadLetter(r, tp, key, "malformed", "a record without a value");
            } else if (pair.schema() > PreferencePair.SCHEMA) {
                deadLetter(r, tp, key, "schema", "schema " + pair.schema() + " is newer than "
                        + PreferencePair.SCHEMA);
            } else if (!pair.policy().equals(key)) {
                deadLetter(r, tp, key, "key_mismatch", "key '" + key + "' is not the policy '" + pair.policy() + "'");
            } else if (!CheckpointStore.validPolicy(pair.policy())) {
                deadLetter(r, tp, key, "invalid_policy", "policy '" + pair.policy() + "' is not a valid name");
            } else {
                switch (session.offer(pair, partition(tp), r.offset())) {
                    case HALTED -> {
                        consumer.seek(tp, r.offset());
                        consumer.pause(List.of(tp));
                        LOG.warnf("%s is paused: policy %s is over its KL budget", tp, pair.policy());
                        return false;
                    }
                    case TOO_LONG -> deadLetter(r, tp, key, "too_long", "pair " + pair.pairId()
                            + " does not fit the model's context");
                    case ACCEPTED, DUPLICATE, STALE -> markProcessed(tp, r.offset());
                }
            }
        } catch (MalformedEventException | IllegalArgumentException e) {
            // IllegalArgumentException: a record that parsed but cannot be templated, e.g. an unknown role.
            deadLetter(r, tp, key, "malformed", e.getMessage());
        }
        return true;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, TopicPartition tp, String key, String reason,
                            String detail) {
        deadLetters.send(r, reason, detail);
        // A hostile key must not become a metric label (one series per junk key): those count under "".
        metrics.pairs(CheckpointStore.validPolicy(key) ? key : "", "dead_lettered", 1);
        markProcessed(tp, r.offset());
    }

    private void markProcessed(TopicPartition tp, long offset) {
        processed.put(tp, new OffsetAndMetadata(offset + 1));
    }

    /** The one place offsets are committed: right after every consumed pair is in a durable checkpoint. */
    private void checkpointAndCommit() throws IOException {
        List<CheckpointMetadata> written = session.checkpoint();
        if (!processed.isEmpty()) {
            consumer.commitSync(processed);
            processed.clear();
        }
        lastCommit = Instant.now();
        session.review(written);
    }

    /** Kafka's partition type stops here: training state names partitions its own way. */
    private static Partition partition(TopicPartition tp) {
        return new Partition(tp.topic(), tp.partition());
    }

    private static List<Partition> partitions(Collection<TopicPartition> tps) {
        return tps.stream().map(PairConsumer::partition).toList();
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                checkpointAndCommit();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot checkpoint before giving up " + partitions, e);
            }
            session.release(partitions(partitions));
            assigned = Set.copyOf(consumer.assignment().stream().filter(tp -> !partitions.contains(tp)).toList());
            LOG.infof("released %s after a checkpoint and commit", partitions);
        }

        /** Policies load their newest checkpoint from the store when their first pair arrives (one partition may hold many). */
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = Set.copyOf(consumer.assignment());
            LOG.infof("assigned %s", partitions);
        }

        /** Lost, not revoked: another owner may already train these; committing now could overwrite its offsets. */
        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(processed::remove);
            session.release(partitions(partitions));
            assigned = Set.of();
        }
    }
}
