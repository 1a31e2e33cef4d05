package io.livedpo.feedback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptHash;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.feedback.TopicReader;
import io.livedpo.feedback.service.FeedbackMetrics;
import io.livedpo.feedback.service.PolicyStats;
import io.livedpo.feedback.streams.FeedbackTopology;
import io.livedpo.feedback.streams.GroupLeavingShutdown;
import io.livedpo.feedback.streams.PairingConfig;
import io.livedpo.testing.kafka.KafkaBroker;
import io.livedpo.testing.kafka.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The topology on a real broker with exactly_once_v2, stopped half way through the input as the app stops it
 * ({@link GroupLeavingShutdown}) and started again on an empty state directory (so it restores from changelogs):
 * every expected pair arrives exactly once, and the successor (another static member, as a replaced pod is) takes
 * over although the session timeout is longer than the test waits, because closing removed the first from the group. Its own JVM
 * (failsafe), so nothing else writes to the contract topics of this broker.
 */
@WithKafka
class StreamsRestartIT {

    private static final int CHOICES = 200;
    /** Five minutes: the broker's default maximum is 30. */
    private static final int LONG_SESSION_MS = 300_000;

    @Test
    void aRestartLosesNoPairAndRepeatsNone(KafkaBroker broker) throws Exception {
        for (String topic : List.of(Topics.RESPONSES, Topics.FEEDBACK, Topics.PAIRS)) {
            broker.createTopic(topic, 3, Map.of());
        }
        Properties streamsProps = new Properties();
        streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, "restart-it");
        streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        streamsProps.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // A single broker: internal topics and transactions need replication factor 1.
        streamsProps.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // Far longer than the waits below: the second instance can only take over in time if the first left.
        streamsProps.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, LONG_SESSION_MS);
        PairingConfig config = new PairingConfig(Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofHours(1), 16,
                10_000, Duration.ofHours(1), Duration.ofSeconds(1));

        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new JsonSerializer<>());
             TopicReader<PreferencePair> pairs = new TopicReader<>(broker.bootstrapServers(), Topics.PAIRS,
                     new JsonDeserializer<>(PreferencePair.class))) {
            KafkaStreams first = start(streamsProps, "pod-a");
            produce(producer, 0, CHOICES / 2);
            pairs.readUntil(seen -> seen.size() >= CHOICES / 4, Duration.ofSeconds(90));
            assertTrue(GroupLeavingShutdown.close(first), "closed within the timeout");
            first.cleanUp();

            KafkaStreams second = start(streamsProps, "pod-b");
            produce(producer, CHOICES / 2, CHOICES);
            List<PreferencePair> all = pairs.readUntil(seen -> seen.size() >= CHOICES, Duration.ofSeconds(120));
            // Anything late would be a duplicate: one more round trip through all stages, then count again.
            produce(producer, CHOICES, CHOICES + 1);
            all = pairs.readUntil(seen -> seen.size() >= CHOICES + 1, Duration.ofSeconds(60));
            GroupLeavingShutdown.close(second);

            Set<String> ids = new HashSet<>();
            all.forEach(pair -> ids.add(pair.pairId()));
            assertEquals(CHOICES + 1, all.size(), "pairs on the topic");
            assertEquals(CHOICES + 1, ids.size(), "distinct pair ids");
        }
    }

    /** {@code instance}: the pod's name; the second instance is another pod, so it cannot simply rejoin as the first. */
    private static KafkaStreams start(Properties common, String instance) throws Exception {
        Properties props = new Properties();
        props.putAll(common);
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance);
        Path state = Files.createDirectories(Path.of("target", "restart-it", UUID.randomUUID().toString()));
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        KafkaStreams streams = new KafkaStreams(FeedbackTopology.build(
                new PairingConfig(Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofHours(1), 16, 10_000,
                        Duration.ofHours(1), Duration.ofSeconds(1)),
                new FeedbackMetrics(new SimpleMeterRegistry(), new PolicyStats())), props);
        streams.start();
        return streams;
    }

    private static void produce(KafkaProducer<String, Object> producer, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            List<PromptMessage> prompt = List.of(new PromptMessage("user", "question " + i));
            String hash = PromptHash.of("it", prompt);
            for (String side : List.of("a", "b")) {
                String id = side + i;
                producer.send(new ProducerRecord<>(Topics.RESPONSES, id, new ResponseEvent(ResponseEvent.SCHEMA, id,
                        "c" + i, "it", 1, prompt, "answer " + id, null, hash, Instant.now())));
            }
            FeedbackEvent choice = FeedbackEvent.pairwise("f" + i, "a" + i, "b" + i, "user" + (i % 7), Instant.now());
            producer.send(new ProducerRecord<>(Topics.FEEDBACK, choice.key(), choice));
        }
        producer.flush();
    }
}
