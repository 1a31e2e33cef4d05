package io.livedpo.feedback.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptHash;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.feedback.TopicReader;
import io.livedpo.feedback.streams.GroupLeavingShutdown;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
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
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The whole path with a restart in the middle: A/B choices over REST → feedback topic → the app's Kafka Streams →
 * pairs. Half way, the app's Kafka Streams is closed and its state directory wiped, and a new instance with the
 * same application id and the app's own topology takes over (restoring from changelogs) without waiting out the old
 * member's session; REST keeps accepting meanwhile. Every choice yields its pair exactly once. Its own JVM (failsafe), so the pairs topic holds only these.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(RestStreamsRestartIT.LongSession.class)
class RestStreamsRestartIT {

    /**
     * A session far longer than the test's waits (five minutes; the broker allows 30): the successor takes over in
     * time only because the app's close leaves the group ({@link GroupLeavingShutdown}).
     */
    public static class LongSession implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka-streams.session.timeout.ms", "300000");
        }
    }

    private static final int CHOICES = 100;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "quarkus.kafka-streams.application-id")
    String applicationId;

    @ConfigProperty(name = "kafka-streams.processing.guarantee")
    String processingGuarantee;

    @ConfigProperty(name = "kafka-streams.session.timeout.ms")
    String sessionTimeoutMs;

    @Inject
    KafkaStreams appStreams;

    /** Dependent scope: every get() builds the app's topology anew, as a restarted process would. */
    @Inject
    Instance<Topology> topology;

    @Test
    void restartingStreamsBetweenRestCallsLosesNoPairAndRepeatsNone() throws Exception {
        String run = UUID.randomUUID().toString();
        try (KafkaProducer<String, ResponseEvent> serving = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new JsonSerializer<>());
             TopicReader<PreferencePair> pairs = new TopicReader<>(bootstrap, Topics.PAIRS,
                     new JsonDeserializer<>(PreferencePair.class))) {
            respond(serving, run, 0, CHOICES + 1);
            choose(run, 0, CHOICES / 2);
            pairs.readUntil(seen -> seen.size() >= CHOICES / 4, Duration.ofSeconds(60));

            // Restart: the old instance commits or aborts its transaction on close; the new one starts from
            // nothing on disk, so everything it knows comes from the changelogs and committed offsets.
            assertTrue(GroupLeavingShutdown.close(appStreams), "closed within the timeout");
            appStreams.cleanUp();
            try (KafkaStreams restarted = new KafkaStreams(topology.get(), restartedProperties())) {
                restarted.start();
                choose(run, CHOICES / 2, CHOICES);
                pairs.readUntil(seen -> seen.size() >= CHOICES, Duration.ofSeconds(60));
                // A duplicate would come late: one more choice through all stages, then count again.
                choose(run, CHOICES, CHOICES + 1);
                List<PreferencePair> all = pairs.readUntil(seen -> seen.size() >= CHOICES + 1, Duration.ofSeconds(30));
                GroupLeavingShutdown.close(restarted);

                Set<String> ids = new HashSet<>();
                all.forEach(pair -> ids.add(pair.pairId()));
                assertEquals(CHOICES + 1, all.size(), "pairs on the topic");
                assertEquals(CHOICES + 1, ids.size(), "distinct pair ids");
                assertEquals(CHOICES + 1, all.stream().filter(p -> p.chosenResponseId().startsWith(run)).count(),
                        "pairs of this run");
            }
        }
    }

    private Properties restartedProperties() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        // Another pod: a new static member, which can take over at once only if the app's instance was removed.
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "replacement-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(
                Path.of("target", "rest-restart-it", UUID.randomUUID().toString())).toString());
        return props;
    }

    private static void respond(KafkaProducer<String, ResponseEvent> serving, String run, int from, int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            List<PromptMessage> prompt = List.of(new PromptMessage("user", "restart " + run + " " + i));
            for (String side : List.of("a", "b")) {
                String id = run + side + i;
                serving.send(new ProducerRecord<>(Topics.RESPONSES, id, new ResponseEvent(ResponseEvent.SCHEMA, id,
                        "c" + i, "it", 1, prompt, "answer " + id, null, PromptHash.of("it", prompt), Instant.now())));
            }
        }
        serving.flush();
    }

    /** One user per choice: neither the REST rate limit nor the per-user pair cap is what this test is about. */
    private static void choose(String run, int from, int to) {
        for (int i = from; i < to; i++) {
            given().contentType("application/json")
                    .body("{\"chosen_response_id\":\"" + run + "a" + i + "\",\"rejected_response_id\":\"" + run + "b"
                            + i + "\",\"user_id\":\"u" + i + "\"}")
                    .post("/v1/feedback/pairwise").then().statusCode(202);
        }
    }
}
