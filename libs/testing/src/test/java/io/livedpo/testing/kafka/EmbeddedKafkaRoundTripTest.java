package io.livedpo.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@WithKafka
class EmbeddedKafkaRoundTripTest {

    private final KafkaBroker broker;

    EmbeddedKafkaRoundTripTest(KafkaBroker broker) {
        this.broker = broker;
    }

    @Test
    void recordComesBackWithKeyValueAndHeaders() throws Exception {
        String topic = "roundtrip-" + UUID.randomUUID();
        broker.createTopic(topic, 3, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));

        RecordMetadata written;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, "user-17", "{\"rating\":1}");
            record.headers().add("event-type", "feedback.v1".getBytes(StandardCharsets.UTF_8));
            written = producer.send(record).get(30, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "roundtrip-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            // Group join and the first fetch take a few polls; the deadline bounds a broken broker, not a slow one.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(250)).forEach(received::add);
            }
        }

        assertEquals(1, received.size(), "records consumed from " + topic);
        ConsumerRecord<String, String> record = received.get(0);
        assertEquals("user-17", record.key());
        assertEquals("{\"rating\":1}", record.value());
        assertEquals(written.partition(), record.partition());
        assertEquals(written.offset(), record.offset());
        Header header = record.headers().lastHeader("event-type");
        assertEquals("feedback.v1", new String(header.value(), StandardCharsets.UTF_8));
        assertTopicLayout(topic);
    }

    @Test
    void everyLookupInThisJvmSeesTheSameBroker(KafkaBroker injectedIntoMethod) {
        assertSame(broker, injectedIntoMethod);
        // The JVM's one shared broker, whichever class runs first: a broker started per class would fail here.
        assertSame(KafkaBrokers.shared(), broker);
    }

    private void assertTopicLayout(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            int partitions = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(Set.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertEquals(3, partitions);
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
        }
    }
}
