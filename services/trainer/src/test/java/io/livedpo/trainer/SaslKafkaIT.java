package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.events.metrics.ConsumerLagMeter;
import io.livedpo.trainer.messaging.Announcer;
import io.livedpo.testing.kafka.EmbeddedKafka;
import io.livedpo.trainer.messaging.DeadLetters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.JaasUtils;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trainer's hand-built Kafka clients against a broker whose listener requires SASL/PLAIN, configured only as a
 * Kubernetes Secret would configure a pod: {@code KAFKA_*} environment variables read through MicroProfile Config.
 */
class SaslKafkaIT {

    private static EmbeddedKafka broker;
    private static KafkaClientProperties kafka;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafka.startSasl();
        Map<String, String> props = broker.clientProperties();
        kafka = KafkaClientProperties.from(config(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "KAFKA_SECURITY_PROTOCOL", props.get("security.protocol"),
                "KAFKA_SASL_MECHANISM", props.get("sasl.mechanism"),
                "KAFKA_SASL_JAAS_CONFIG", props.get("sasl.jaas.config"))));
        try (Admin admin = Admin.create(kafka.with(Map.of()))) {
            admin.createTopics(List.of(new NewTopic(Topics.CHECKPOINTS, 1, (short) 1),
                    new NewTopic(Topics.PAIRS, 2, (short) 1), new NewTopic(Topics.deadLetter(Topics.PAIRS), 1,
                            (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics on " + broker.description(), e);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Config config(Map<String, String> env) {
        return new SmallRyeConfigBuilder().withSources(new EnvConfigSource(env, 300)).build();
    }

    @Test
    void theEnvironmentBecomesTheSharedClientSettings() {
        assertEquals("SASL_PLAINTEXT", kafka.asMap().get("security.protocol"));
        assertEquals("PLAIN", kafka.asMap().get("sasl.mechanism"));
        assertEquals(broker.bootstrapServers(), kafka.bootstrapServers());
    }

    @Test
    void theAnnouncerPublishesAndAConsumerWithTheSameSettingsReadsItBack() {
        CheckpointAnnouncement sent = new CheckpointAnnouncement(CheckpointAnnouncement.SCHEMA, "sasl-policy", 3, 2L,
                "sha256:base", "sha256:weights", 123, "livedpo-trainer:8082", 40, Map.of(), Instant.now(),
                Instant.now());
        try (Announcer announcer = new Announcer(kafka)) {
            announcer.announce(sent);
        }
        List<CheckpointAnnouncement> read = new ArrayList<>();
        try (KafkaConsumer<String, CheckpointAnnouncement> consumer = new KafkaConsumer<>(kafka.with(Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(),
                new JsonDeserializer<>(CheckpointAnnouncement.class))) {
            TopicPartition tp = new TopicPartition(Topics.CHECKPOINTS, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Await.until(Duration.ofSeconds(30), "the announcement read back", () -> {
                for (ConsumerRecord<String, CheckpointAnnouncement> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r.value());
                }
                return read.stream().anyMatch(a -> a.policy().equals("sasl-policy"));
            });
        }
        CheckpointAnnouncement got = read.stream().filter(a -> a.policy().equals("sasl-policy")).findFirst()
                .orElseThrow();
        assertEquals(3, got.version());
        assertEquals("sha256:weights", got.sha256());
    }

    @Test
    void deadLettersAndTheLagMeterAuthenticateToo() throws Exception {
        String group = "sasl-lag-" + System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.with(Map.of()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(Topics.PAIRS, 1, null, new byte[] {(byte) i})).get();
            }
        }
        try (Admin admin = Admin.create(kafka.with(Map.of()))) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(Topics.PAIRS, 1),
                    new OffsetAndMetadata(2))).all().get(30, TimeUnit.SECONDS);
        }
        try (ConsumerLagMeter meter = ConsumerLagMeter.start(new SimpleMeterRegistry(), kafka, group,
                List.of(Topics.PAIRS), Duration.ofHours(1))) {
            Map<TopicPartition, Long> lag = meter.measure();
            assertEquals(3L, lag.get(new TopicPartition(Topics.PAIRS, 1)));
        }
        try (DeadLetters deadLetters = new DeadLetters(kafka)) {
            deadLetters.send(new ConsumerRecord<>(Topics.PAIRS, 0, 7L, "k".getBytes(), "poison".getBytes()),
                    "malformed", "test");
        }
        try (Admin admin = Admin.create(kafka.with(Map.of()))) {
            long end = admin.listOffsets(Map.of(new TopicPartition(Topics.deadLetter(Topics.PAIRS), 0),
                    OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
                    .values().iterator().next().offset();
            assertEquals(1L, end);
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() {
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", EmbeddedKafka.plainJaasConfig(JaasUtils.KAFKA_PLAIN_ADMIN, "wrong")));
        KafkaClientProperties wrong = KafkaClientProperties.from(config(env));
        try (Admin admin = Admin.create(wrong.with(Map.of()))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
    }

    @Test
    void aClientWithoutCredentialsCannotEvenStart() {
        KafkaClientProperties none = KafkaClientProperties.from(config(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN")));
        // No sasl.jaas.config and no KafkaClient entry in the JVM's JAAS file: the client refuses to start.
        KafkaException e = assertThrows(KafkaException.class,
                () -> new Announcer(none));
        assertTrue(String.valueOf(rootMessage(e)).contains("KafkaClient"), rootMessage(e));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
