package io.livedpo.feedback;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptHash;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Serving's responses on the topic, thumbs over REST, and a pair out of the running app's Kafka Streams. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class PairsEndToEndTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void thumbsOverRestBecomeAPairOnThePairsTopic() throws Exception {
        // Kafka Streams starts in the background after the app; ready means it runs.
        Awaitility.await("ready").atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> ManagementEndpoints.given().when().get("/q/health/ready").then().statusCode(200));
        String run = UUID.randomUUID().toString();
        List<PromptMessage> prompt = List.of(new PromptMessage("user", "end to end " + run));
        try (KafkaProducer<String, ResponseEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new JsonSerializer<>())) {
            for (String id : List.of("good-" + run, "bad-" + run)) {
                ResponseEvent response = new ResponseEvent(ResponseEvent.SCHEMA, id, "c", "e2e", 1, prompt,
                        "completion " + id, null, PromptHash.of("e2e", prompt), Instant.now());
                producer.send(new ProducerRecord<>(Topics.RESPONSES, id, response)).get(30, TimeUnit.SECONDS);
            }
        }
        given().contentType("application/json").body("{\"response_id\":\"good-" + run + "\",\"rating\":\"up\",\"user_id\":\"u1\"}")
                .post("/v1/feedback").then().statusCode(202);
        given().contentType("application/json").body("{\"response_id\":\"bad-" + run + "\",\"rating\":\"down\",\"user_id\":\"u2\"}")
                .post("/v1/feedback").then().statusCode(202);

        try (TopicReader<PreferencePair> reader = new TopicReader<>(bootstrap, Topics.PAIRS,
                new JsonDeserializer<>(PreferencePair.class))) {
            PreferencePair pair = reader.readUntil(
                    pairs -> pairs.stream().anyMatch(p -> p.chosenResponseId().equals("good-" + run)),
                    Duration.ofSeconds(60)).stream()
                    .filter(p -> p.chosenResponseId().equals("good-" + run)).findFirst().orElseThrow();
            assertEquals("bad-" + run, pair.rejectedResponseId());
            assertEquals(PairSource.THUMBS, pair.source());
        }
        given().get("/v1/feedback/stats").then().statusCode(200)
                .body("policies.e2e.pairs", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
    }
}
