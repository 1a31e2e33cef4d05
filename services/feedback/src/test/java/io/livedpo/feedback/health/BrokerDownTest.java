package io.livedpo.feedback.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Topics;
import io.livedpo.feedback.ManagementEndpoints;
import io.livedpo.feedback.TopicReader;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The app started while its broker is down: it starts anyway (not ready, but live), answers feedback 503 within the
 * send timeout, and once an empty broker comes up creates its topics, becomes ready, accepts feedback, and the
 * refused event never shows up.
 */
@QuarkusTest
@TestProfile(BrokerDownTest.BrokerDown.class)
class BrokerDownTest {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(1);

    public static class BrokerDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("livedpo.feedback.kafka.send-timeout", SEND_TIMEOUT.toSeconds() + "s",
                    // Its own consumer group: this app's offsets and state stay apart from the other tests' app.
                    "quarkus.kafka-streams.application-id", "livedpo-feedback-broker-down");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(BrokerGate.class));
        }
    }

    @Test
    void brokerDownMeans503AndNotReadyAndNothingRecordedLater() throws Exception {
        ManagementEndpoints.given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'kafka' }.data.broker", equalTo("unreachable"));
        ManagementEndpoints.given().get("/q/health/live").then().statusCode(200);

        String refused = "refused-" + UUID.randomUUID();
        // The answer itself is the behaviour: the send gives up after the send timeout instead of hanging. How fast is
        // not asserted here: elapsed time on a shared machine is a benchmark's business.
        given().contentType("application/json")
                .body("{\"response_id\":\"" + refused + "\",\"rating\":\"up\",\"user_id\":\"down\"}")
                .post("/v1/feedback").then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("status", equalTo(503));

        BrokerGate.current().open();
        // Kafka Streams starts only once its input topics exist: ready proves the app created them on the new broker.
        Awaitility.await("ready once the broker is up").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> ManagementEndpoints.given().get("/q/health/ready").then().statusCode(200)
                        .body("checks.name", hasItem("kafka")));

        String accepted = "accepted-" + UUID.randomUUID();
        String acceptedId = given().contentType("application/json")
                .body("{\"response_id\":\"" + accepted + "\",\"rating\":\"up\",\"user_id\":\"up\"}")
                .post("/v1/feedback").then().statusCode(202).extract().path("feedback_id");
        // The refused event never reached the producer's buffer (no metadata within max.block.ms) or expired in it
        // (delivery timeout) before the 503; either way it cannot be sent later. Reading up to an event accepted
        // after the broker came back checks that on the topic itself.
        try (TopicReader<FeedbackEvent> reader = new TopicReader<>(BrokerGate.current().broker().bootstrapServers(),
                Topics.FEEDBACK, new JsonDeserializer<>(FeedbackEvent.class))) {
            List<FeedbackEvent> events = reader.readUntil(
                    seen -> seen.stream().anyMatch(e -> e.feedbackId().equals(acceptedId)), Duration.ofSeconds(30));
            assertTrue(events.stream().noneMatch(e -> e.responseId().equals(refused)),
                    "the refused feedback reached the topic");
        }
    }
}
