package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.testing.kafka.KafkaBroker;
import io.livedpo.testing.kafka.WithKafka;
import io.livedpo.trainer.messaging.ConsumerSettings;
import io.livedpo.trainer.messaging.DeadLetters;
import io.livedpo.trainer.messaging.PairConsumer;
import io.livedpo.trainer.service.CheckpointCoverage;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.KlGuard;
import io.livedpo.trainer.service.KlSettings;
import io.livedpo.trainer.service.Partition;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.trainer.service.TrainingSession;
import io.livedpo.trainer.service.TrainingSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop without Quarkus, so a test can crash and restart trainers: exactly-once training across a crash
 * between checkpoint and commit, and non-finite batches skipped.
 */
@WithKafka
class TrainingLoopTest {

    private static PolicyModel base;

    @TempDir
    Path storeDir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** Every checkpoint any trainer of the test published, in order. */
    private final List<CheckpointMetadata> published = new CopyOnWriteArrayList<>();
    private Admin admin;

    @BeforeEach
    void connect(KafkaBroker broker) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    @BeforeAll
    static void open() throws IOException {
        base = PolicyModel.open(Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2"));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    /** One trainer process: its own session and consumer over the shared store. */
    private final class Trainer implements AutoCloseable {
        final TrainingSession session;
        final DeadLetters deadLetters;
        final PairConsumer consumer;
        final List<CheckpointMetadata> mine = new CopyOnWriteArrayList<>();

        Trainer(KafkaBroker broker, String topic, String group) {
            this(broker, topic, group, 1e9);
        }

        Trainer(KafkaBroker broker, String topic, String group, double klBudget) {
            TrainingSettings settings = new TrainingSettings(4, Duration.ofMillis(200), 2, Duration.ofMillis(500),
                    100, 1000, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS),
                    new TrainConfig(DpoConfig.defaults(), 1e-2f, 0, 1f, AdamWConfig.defaults()));
            TrainerMetrics metrics = new TrainerMetrics(meters);
            session = new TrainingSession(base, new CheckpointStore(storeDir), settings,
                    new KlGuard(base, new KlSettings(klBudget, List.of("Hello!"), 4, true)), (c, kl) -> {
                        mine.add(c);
                        published.add(c);
                    }, metrics);
            KafkaClientProperties kafka = KafkaClientProperties.plaintext(broker.bootstrapServers());
            deadLetters = new DeadLetters(kafka);
            consumer = new PairConsumer(new ConsumerSettings(kafka, topic, group,
                    Duration.ofMillis(100), Duration.ofMillis(500),
                    settings.batchSize() * settings.checkpointEverySteps()), session, deadLetters, metrics);
            consumer.start();
        }

        @Override
        public void close() throws InterruptedException {
            consumer.close();
            deadLetters.close();
            session.close();
        }
    }

    @Test
    void aCrashBetweenCheckpointAndCommitLosesNoPairAndTrainsNoneTwice(KafkaBroker broker) throws Exception {
        String topic = "pairs-crash-" + UUID.randomUUID();
        String group = "trainer-" + UUID.randomUUID();
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        List<PreferencePair> first = Pairs.pairs("crash", 0, 8);
        Pairs.send(broker.bootstrapServers(), topic, first);
        try (Trainer a = new Trainer(broker, topic, group)) {
            Await.until(Duration.ofSeconds(60), "first 8 pairs committed", () -> committed(group, tp) == 8);
        }
        CheckpointStore store = new CheckpointStore(storeDir);
        List<Long> before = store.versions("crash");
        assertEquals(ids(first), trained(store, before));

        // The state a crash after the checkpoint's atomic write but before commitSync leaves behind: the checkpoint
        // is durable, the group's offsets are not. A pair re-sent at a new offset (same pair id) rides along.
        admin.alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(0))).all()
                .get(30, TimeUnit.SECONDS);
        List<PreferencePair> second = Pairs.pairs("crash", 8, 12);
        List<PreferencePair> resent = new ArrayList<>(second);
        resent.add(first.get(3));
        Pairs.send(broker.bootstrapServers(), topic, resent);
        try (Trainer b = new Trainer(broker, topic, group)) {
            Await.until(Duration.ofSeconds(60), "all 13 records committed", () -> committed(group, tp) == 13);
        }

        List<Long> after = store.versions("crash");
        List<String> all = new ArrayList<>();
        for (long v : after) {
            all.addAll(coverage(store, v).pairIds());
        }
        Set<String> expected = ids(first);
        expected.addAll(ids(second));
        assertEquals(expected, new HashSet<>(all), "every pair trained");
        assertEquals(expected.size(), all.size(), "no pair trained twice: " + all);
        List<Long> resumed = after.stream().filter(v -> !before.contains(v)).toList();
        assertEquals(ids(second), trained(store, resumed), "the restarted trainer trained only the new pairs");
        CheckpointMetadata last = store.metadata("crash", after.get(after.size() - 1));
        assertEquals(12, last.pairsTrained());
        assertEquals(12L, coverage(store, last.version()).coveredThrough().get(new Partition(topic, 0)));
        assertEquals(after, published.stream().map(CheckpointMetadata::version).toList(),
                "within the KL budget, every checkpoint is published");
    }

    /**
     * A backlog is trained and published one checkpoint interval (K steps of B pairs, 8 here) at a time, not one poll
     * of up to 500 records: users of a restarted or lagging trainer still get a version every K·B pairs.
     */
    @Test
    void aBacklogIsPublishedEveryCheckpointInterval(KafkaBroker broker) throws Exception {
        String topic = "pairs-backlog-" + UUID.randomUUID();
        String group = "trainer-" + UUID.randomUUID();
        broker.createTopic(topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        Pairs.send(broker.bootstrapServers(), topic, Pairs.pairs("backlog", 0, 40));
        try (Trainer t = new Trainer(broker, topic, group)) {
            Await.until(Duration.ofSeconds(120), "40 pairs committed", () -> committed(group, tp) == 40);
        }
        List<Long> trainedPerVersion = new ArrayList<>();
        long before = 0;
        for (CheckpointMetadata c : published) {
            trainedPerVersion.add(c.pairsTrained() - before);
            before = c.pairsTrained();
        }
        assertEquals(40, before, "every pair trained: " + trainedPerVersion);
        assertTrue(trainedPerVersion.stream().allMatch(n -> n <= 8), "pairs per version " + trainedPerVersion);
    }

    @Test
    void aCheckpointOverTheKlBudgetIsKeptButNeverPublished(KafkaBroker broker) throws Exception {
        String topic = "pairs-kl-" + UUID.randomUUID();
        String group = "trainer-" + UUID.randomUUID();
        broker.createTopic(topic, 1, Map.of());
        Pairs.send(broker.bootstrapServers(), topic, Pairs.pairs("kl", 0, 8));
        // A budget no estimate can meet (estimates can be slightly negative): every checkpoint is over it.
        try (Trainer t = new Trainer(broker, topic, group, -1e9)) {
            Await.until(Duration.ofSeconds(60), "8 pairs committed",
                    () -> committed(group, new TopicPartition(topic, 0)) == 8);
        }
        CheckpointStore store = new CheckpointStore(storeDir);
        assertTrue(!store.versions("kl").isEmpty(), "the checkpoint is durable even when withheld");
        assertEquals(List.of(), published, "nothing over the KL budget is published");
        assertTrue(meters.counter("livedpo.trainer.kl.budget.exceeded", "policy", "kl").count() >= 1);
    }

    @Test
    void aNonFiniteBatchIsSkippedCountedAndNeverCheckpointed(KafkaBroker broker) throws Exception {
        String topic = "pairs-nan-" + UUID.randomUUID();
        String group = "trainer-" + UUID.randomUUID();
        broker.createTopic(topic, 1, Map.of());
        // A corrupt adapter in the store (as an overflow upstream would leave it): every loss is NaN.
        CheckpointStore store = new CheckpointStore(storeDir);
        try (LoraAdapter poisoned = LoraAdapter.create(base.model(), new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS),
                1L, base.manager())) {
            NDArray a = poisoned.parameters().get(0);
            float[] values = a.toFloatArray();
            values[0] = Float.NaN;
            a.set(values);
            store.write(poisoned, null, CheckpointMetadata.draft("nan", 1, 0, base.fingerprint(), 0, Map.of(),
                    Instant.now(), Map.of()));
        }
        Pairs.send(broker.bootstrapServers(), topic, Pairs.pairs("nan", 0, 4));
        try (Trainer t = new Trainer(broker, topic, group)) {
            Await.until(Duration.ofSeconds(60), "the skipped batch committed past",
                    () -> committed(group, new TopicPartition(topic, 0)) == 4);
        }
        assertTrue(meters.counter("livedpo.trainer.skipped.batches", "policy", "nan", "reason", "nonfinite_loss")
                .count() >= 1);
        assertEquals(0, meters.find("livedpo.trainer.steps").tag("policy", "nan").counters().stream()
                .mapToDouble(c -> c.count()).sum());
        assertEquals(List.of(1L), store.versions("nan"), "nothing trained, so no new checkpoint");
    }

    @Test
    void aRebalanceMovesAPolicyWithItsStateAndLosesNothing(KafkaBroker broker) throws Exception {
        String topic = "pairs-rebalance-" + UUID.randomUUID();
        String group = "trainer-" + UUID.randomUUID();
        broker.createTopic(topic, 2, Map.of());
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        // One policy per partition, as production keys them.
        Pairs.send(broker.bootstrapServers(), topic, 0, Pairs.pairs("left", 0, 4));
        Pairs.send(broker.bootstrapServers(), topic, 1, Pairs.pairs("right", 0, 4));
        CheckpointStore store = new CheckpointStore(storeDir);
        try (Trainer a = new Trainer(broker, topic, group)) {
            Await.until(Duration.ofSeconds(60), "A trained both policies",
                    () -> committed(group, p0) == 4 && committed(group, p1) == 4);
            try (Trainer b = new Trainer(broker, topic, group)) {
                Await.until(Duration.ofSeconds(60), "B took a partition", () -> b.consumer.assignment().size() == 1
                        && a.consumer.assignment().size() == 1);
                Pairs.send(broker.bootstrapServers(), topic, 0, Pairs.pairs("left", 4, 8));
                Pairs.send(broker.bootstrapServers(), topic, 1, Pairs.pairs("right", 4, 8));
                Await.until(Duration.ofSeconds(60), "both partitions trained after the move",
                        () -> committed(group, p0) == 8 && committed(group, p1) == 8);
                // Published after the commit: B's checkpoint continues the count of a policy A trained before.
                Await.until(Duration.ofSeconds(30), "B continued a policy A had trained",
                        () -> b.mine.stream().anyMatch(c -> c.pairsTrained() == 8));
            }
        }
        for (String policy : List.of("left", "right")) {
            List<Long> versions = store.versions(policy);
            List<String> trained = new ArrayList<>();
            long parent = 0;
            for (long v : versions) {
                CheckpointMetadata meta = store.metadata(policy, v);
                assertEquals(parent, meta.parentVersion(), policy + " v" + v + " continues its predecessor");
                parent = v;
                trained.addAll(CheckpointCoverage.fromAttributes(meta.attributes()).pairIds());
            }
            assertEquals(ids(Pairs.pairs(policy, 0, 8)), new HashSet<>(trained), policy);
            assertEquals(8, trained.size(), policy + " trained each pair once: " + trained);
            assertEquals(8, store.metadata(policy, parent).pairsTrained());
        }
    }

    private static Set<String> ids(List<PreferencePair> pairs) {
        Set<String> out = new HashSet<>();
        pairs.forEach(p -> out.add(p.pairId()));
        return out;
    }

    private static Set<String> trained(CheckpointStore store, List<Long> versions) throws IOException {
        Set<String> out = new HashSet<>();
        for (long v : versions) {
            out.addAll(coverage(store, v).pairIds());
        }
        return out;
    }

    private static CheckpointCoverage coverage(CheckpointStore store, long version) throws IOException {
        return CheckpointCoverage.fromAttributes(store.metadata("crash", version).attributes());
    }

    private long committed(String group, TopicPartition tp) {
        try {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(tp);
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
