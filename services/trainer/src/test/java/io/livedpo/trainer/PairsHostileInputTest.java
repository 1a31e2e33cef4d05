package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.livedpo.events.EventJson;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.MalformedEventException;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.Topics;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.testing.hostile.Hostile;
import io.livedpo.testing.hostile.Tries;
import io.livedpo.testing.kafka.KafkaBroker;
import io.livedpo.testing.kafka.WithKafka;
import io.livedpo.trainer.messaging.ConsumerSettings;
import io.livedpo.trainer.messaging.DeadLetters;
import io.livedpo.trainer.messaging.PairConsumer;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.KlGuard;
import io.livedpo.trainer.service.KlSettings;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.trainer.service.TrainingSession;
import io.livedpo.trainer.service.TrainingSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile records on the pairs topic, through the real consumer, session and broker: 80 seeded records (broken JSON,
 * wrong types, hostile strings and roles, wrong keys, empty and null values), then one good pair. The loop must come
 * through all of them alive — its offsets committed past the good pair — with every record that is not a pair
 * dead-lettered byte for byte.
 */
@WithKafka
class PairsHostileInputTest {

    private static final String POLICY = "hostile";
    private static final int TRIES = 80;

    private static PolicyModel base;

    @TempDir
    Path storeDir;

    @BeforeAll
    static void open() throws IOException {
        base = PolicyModel.open(Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2"));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void everyRecordIsTrainedOrDeadLetteredAndTheLoopSurvives(KafkaBroker broker) throws Exception {
        String topic = "pairs-hostile-" + UUID.randomUUID();
        String group = "trainer-" + UUID.randomUUID();
        broker.createTopic(topic, 1, Map.of());
        Map<String, Object> valid = EventJson.MAPPER.convertValue(Pairs.pair(POLICY, 0, Instant.now()),
                new TypeReference<Map<String, Object>>() { });
        List<byte[]> malformed = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            Tries.check("hostile pairs", TRIES, random -> {
                byte[] value = switch (random.nextInt(12)) {
                    case 0 -> null;
                    case 1 -> new byte[0];
                    default -> Hostile.body(random, valid, PairsHostileInputTest::json)
                            .getBytes(StandardCharsets.UTF_8);
                };
                String key = random.nextInt(5) == 0 ? Hostile.text(random) : POLICY;
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                        .get(30, TimeUnit.SECONDS);
                if (!decodes(value)) {
                    malformed.add(value == null ? new byte[0] : value);
                }
            });
            PreferencePair sentinel = Pairs.pair(POLICY, 1, Instant.now());
            producer.send(new ProducerRecord<>(topic, POLICY.getBytes(StandardCharsets.UTF_8),
                    json(sentinel).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }

        TrainingSettings settings = new TrainingSettings(4, Duration.ofMillis(200), 2, Duration.ofMillis(500), 100,
                1000, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS),
                new TrainConfig(DpoConfig.defaults(), 1e-2f, 0, 1f, AdamWConfig.defaults()));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TrainerMetrics metrics = new TrainerMetrics(meters);
        try (TrainingSession session = new TrainingSession(base, new CheckpointStore(storeDir), settings,
                new KlGuard(base, new KlSettings(1e9, List.of("Hello!"), 4, true)), (c, kl) -> { }, metrics);
             DeadLetters deadLetters = new DeadLetters(KafkaClientProperties.plaintext(broker.bootstrapServers()));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     broker.bootstrapServers()))) {
            PairConsumer consumer = new PairConsumer(new ConsumerSettings(
                    KafkaClientProperties.plaintext(broker.bootstrapServers()), topic, group,
                    Duration.ofMillis(100), Duration.ofMillis(500), 500), session, deadLetters, metrics);
            consumer.start();
            try {
                TopicPartition tp = new TopicPartition(topic, 0);
                Await.until(Duration.ofSeconds(120), "the loop committed past every hostile record and the good pair",
                        () -> committed(admin, group, tp) == TRIES + 1);
            } finally {
                consumer.close();
            }
        }
        Set<String> deadLettered = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            dlq.subscribe(List.of(Topics.deadLetter(topic)));
            Set<String> wanted = new HashSet<>();
            malformed.forEach(v -> wanted.add(new String(v, StandardCharsets.UTF_8)));
            Await.until(Duration.ofSeconds(30), malformed.size() + " malformed records on the dead-letter topic", () -> {
                for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
                    deadLettered.add(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
                }
                return deadLettered.containsAll(wanted);
            });
        }
        assertTrue(malformed.size() >= 10 && malformed.size() < TRIES, malformed.size() + " of " + TRIES
                + " records malformed: the generator must reach both kinds");
        assertEquals(0, meters.find("livedpo.trainer.skipped.batches").counters().stream()
                .mapToDouble(c -> c.count()).sum(), "hostile text that trains must not make the math non-finite");
    }

    private static boolean decodes(byte[] value) {
        try {
            new JsonDeserializer<>(PreferencePair.class).deserialize("pairs", value);
            return value != null;
        } catch (MalformedEventException e) {
            return false;
        }
    }

    private static String json(Object value) {
        try {
            return EventJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long committed(Admin admin, String group, TopicPartition tp) {
        try {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(tp);
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
