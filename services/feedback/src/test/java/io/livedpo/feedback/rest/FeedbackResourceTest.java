package io.livedpo.feedback.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Rating;
import io.livedpo.events.Topics;
import io.livedpo.feedback.ManagementEndpoints;
import io.livedpo.feedback.TopicReader;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class FeedbackResourceTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static ValidatableResponse post(String path, String body) {
        return given().contentType("application/json").body(body).post(path).then();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private List<FeedbackEvent> readFeedbackUntil(String feedbackId) {
        try (TopicReader<FeedbackEvent> reader = new TopicReader<>(bootstrap, Topics.FEEDBACK,
                new JsonDeserializer<>(FeedbackEvent.class))) {
            return reader.readUntil(events -> events.stream().anyMatch(e -> e.feedbackId().equals(feedbackId)),
                    Duration.ofSeconds(30));
        }
    }

    @Test
    void acceptedThumbsAreOnTheTopicWithTheReturnedId() {
        String responseId = unique("resp");
        String feedbackId = post("/v1/feedback",
                "{\"response_id\":\"" + responseId + "\",\"rating\":\"down\",\"user_id\":\"alice\",\"comment\":\"meh\"}")
                .statusCode(202).contentType("application/json").body("feedback_id", notNullValue())
                .extract().path("feedback_id");

        FeedbackEvent event = readFeedbackUntil(feedbackId).stream()
                .filter(e -> e.feedbackId().equals(feedbackId)).findFirst().orElseThrow();
        assertEquals(responseId, event.responseId());
        assertEquals(Rating.DOWN, event.rating());
        assertEquals("alice", event.userId());
        assertEquals("meh", event.comment());
    }

    @Test
    void acceptedChoicesAreOnTheTopicKeyedByTheChosenResponse() {
        String feedbackId = post("/v1/feedback/pairwise",
                "{\"chosen_response_id\":\"c1\",\"rejected_response_id\":\"r1\",\"user_id\":\"bob\"}")
                .statusCode(202).extract().path("feedback_id");

        FeedbackEvent event = readFeedbackUntil(feedbackId).stream()
                .filter(e -> e.feedbackId().equals(feedbackId)).findFirst().orElseThrow();
        assertEquals("c1", event.key());
        assertEquals("r1", event.rejectedResponseId());
    }

    @Test
    void badInputIsA400ProblemNamingTheField() {
        post("/v1/feedback", "{\"rating\":\"up\"}").statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("response_id"), "status", equalTo(400), "title", notNullValue(),
                        "type", containsString("invalid"), "detail", containsString("response_id"));
        post("/v1/feedback", "{\"response_id\":\"r\",\"rating\":\"meh\"}").statusCode(400)
                .body("field", equalTo("rating"));
        post("/v1/feedback", "{\"response_id\":42,\"rating\":\"up\"}").statusCode(400)
                .body("field", equalTo("response_id"));
        post("/v1/feedback", "{not json").statusCode(400).contentType("application/problem+json");
        post("/v1/feedback/pairwise", "{\"chosen_response_id\":\"a\",\"rejected_response_id\":\"a\"}")
                .statusCode(400).body("field", equalTo("rejected_response_id"));
    }

    @Test
    void idsOutsideTheFormatAreA400NamingTheFieldAndNeverReachTheTopic() {
        String hostile = "\\u0000\\u0001<script>";
        post("/v1/feedback", "{\"response_id\":\"" + hostile + "\",\"rating\":\"up\"}").statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("response_id"), "type", equalTo("urn:livedpo:problem:invalid"));
        post("/v1/feedback", "{\"response_id\":\"r\",\"rating\":\"up\",\"user_id\":\"<img onerror=x>\"}")
                .statusCode(400).body("field", equalTo("user_id"));
        post("/v1/feedback", "{\"response_id\":\"" + "r".repeat(129) + "\",\"rating\":\"up\"}")
                .statusCode(400).body("field", equalTo("response_id"));
        post("/v1/feedback/pairwise", "{\"chosen_response_id\":\"a b\",\"rejected_response_id\":\"b\"}")
                .statusCode(400).body("field", equalTo("chosen_response_id"));
        post("/v1/feedback", "{\"response_id\":\"r\",\"rating\":\"up\",\"comment\":\"bell\\u0007\"}")
                .statusCode(400).body("field", equalTo("comment"));
        given().contentType("application/json").header("Idempotency-Key", "key with spaces")
                .body("{\"response_id\":\"r\",\"rating\":\"up\"}").post("/v1/feedback")
                .then().statusCode(400).body("field", equalTo("Idempotency-Key"));

        // Read up to a later accepted event: none of the refused ones is before it.
        String marker = post("/v1/feedback", "{\"response_id\":\"" + unique("marker") + "\",\"rating\":\"up\"}")
                .statusCode(202).extract().path("feedback_id");
        List<FeedbackEvent> events = readFeedbackUntil(marker);
        assertTrue(events.stream().noneMatch(e -> String.valueOf(e.responseId()).contains("<script>")
                || String.valueOf(e.userId()).contains("<img")), "a refused id reached Kafka");
    }

    @Test
    void anOversizedBodyIsA413Problem() {
        String comment = "x".repeat(20_000);
        post("/v1/feedback", "{\"response_id\":\"r\",\"rating\":\"up\",\"comment\":\"" + comment + "\"}")
                .statusCode(413).contentType("application/problem+json").body("status", equalTo(413));
    }

    @Test
    void aFloodingUserGets429WithRetryAfter() throws Exception {
        String user = unique("flooder");
        String body = "{\"response_id\":\"r\",\"rating\":\"up\",\"user_id\":\"" + user + "\"}";
        // Sent at once, so the flood outruns the refill however slow each request is on a busy machine.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        List<io.restassured.response.Response> responses = new java.util.ArrayList<>();
        try {
            List<java.util.concurrent.Future<io.restassured.response.Response>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 80; i++) {
                calls.add(pool.submit(() -> given().contentType("application/json").body(body).post("/v1/feedback")));
            }
            for (var call : calls) {
                responses.add(call.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdown();
        }
        long accepted = responses.stream().filter(r -> r.statusCode() == 202).count();
        List<io.restassured.response.Response> refused = responses.stream().filter(r -> r.statusCode() == 429)
                .toList();
        assertEquals(80, accepted + refused.size(), "only 202 or 429 expected");
        assertTrue(accepted >= 20, "the burst is accepted first: " + accepted);
        assertTrue(!refused.isEmpty(), "80 requests at once never hit the limit");
        io.restassured.response.Response r = refused.get(0);
        assertTrue(r.header("Retry-After") != null);
        assertTrue(r.contentType().startsWith("application/problem+json"));
        assertEquals(429, (int) r.path("status"));
        post("/v1/feedback", "{\"response_id\":\"r\",\"rating\":\"up\",\"user_id\":\"" + unique("other") + "\"}")
                .statusCode(202);
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyGetsTheSameIdAndNoSecondEvent() {
        String responseId = unique("resp");
        String body = "{\"response_id\":\"" + responseId + "\",\"rating\":\"up\"}";
        String key = unique("key");
        String first = given().contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/feedback").then().statusCode(202).extract().path("feedback_id");
        String retry = given().contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/feedback").then().statusCode(202).extract().path("feedback_id");
        assertEquals(first, retry);
        given().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"response_id\":\"other\",\"rating\":\"up\"}").post("/v1/feedback")
                .then().statusCode(422).body("field", equalTo("Idempotency-Key"));

        // A later event on the same key (hence partition) is read after any duplicate would have been.
        String marker = post("/v1/feedback", body).statusCode(202).extract().path("feedback_id");
        List<FeedbackEvent> events = readFeedbackUntil(marker);
        assertEquals(1, events.stream().filter(e -> e.feedbackId().equals(first)).count());
        assertEquals(2, events.stream().filter(e -> responseId.equals(e.responseId())).count());
    }

    @Test
    void statsHealthMetricsAndCorsAreServed() {
        given().get("/v1/feedback/stats").then().statusCode(200).body("unmatched", notNullValue());
        ManagementEndpoints.given().get("/q/health/live").then().statusCode(200);
        // Ready once Kafka Streams has started, which the app does in the background after startup.
        Awaitility.await("ready").atMost(Duration.ofSeconds(60)).untilAsserted(() -> ManagementEndpoints.given()
                .get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'kafka' }.data.streams", oneOf("RUNNING", "REBALANCING"))
                .body("checks.find { it.name == 'kafka' }.data.broker", equalTo("reachable")));
        ManagementEndpoints.given().get("/q/metrics").then().statusCode(200).body(containsString("livedpo_feedback_unmatched_total"));
        given().header("Origin", "http://localhost:8080").header("Access-Control-Request-Method", "POST")
                .options("/v1/feedback").then()
                .header("Access-Control-Allow-Origin", "http://localhost:8080");
    }
}
