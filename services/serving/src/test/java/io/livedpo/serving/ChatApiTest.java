package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livedpo.events.ResponseEvent;
import io.livedpo.proto.ChatChunk;
import io.livedpo.proto.ChatMessage;
import io.livedpo.proto.ChatRequest;
import io.livedpo.proto.ChatResponse;
import io.livedpo.proto.ChatServiceGrpc;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The chat API over real HTTP and gRPC on loopback, with the tiny fixture model and a real Kafka broker. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class ChatApiTest extends LoopbackChannelTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, Object> chat(String content) {
        return Map.of("model", "default", "messages", List.of(Map.of("role", "user", "content", content)),
                "max_tokens", 6, "seed", 7, "temperature", 0.9);
    }

    @Test
    void completesInOpenAiShapeAndEmitsOneEventPerChoice() throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(chat("What is 2 + 2?"));
        body.put("n", 2);
        Response r = given().contentType("application/json").body(body).post("/v1/chat/completions");
        r.then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo("default@0"))
                .body("choices.size()", equalTo(2))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].response_id", notNullValue())
                .body("choices[1].model_version", equalTo(0))
                .body("usage.total_tokens", notNullValue());
        JsonNode json = JSON.readTree(r.asString());
        String responseId = json.at("/choices/1/response_id").asText();
        ResponseEvent event = TestClients.awaitResponseEvent(responseId);
        assertEquals("default", event.policy());
        assertEquals(0, event.modelVersion());
        assertEquals(json.at("/choices/1/message/content").asText(), event.completion());
        assertEquals("What is 2 + 2?", event.messages().get(0).content());
        assertEquals(8L, event.sampling().seed()); // choice 1 is seed + 1
        assertEquals(json.get("id").asText(), event.conversationId());
        assertEquals(64, event.promptHash().length());
    }

    @Test
    void streamsServerSentEventsThatAddUpToTheSameAnswer() throws Exception {
        String whole = given().contentType("application/json").body(chat("Tell me about cats."))
                .post("/v1/chat/completions").then().statusCode(200).extract().path("choices[0].message.content");
        Map<String, Object> body = new java.util.HashMap<>(chat("Tell me about cats."));
        body.put("stream", true);
        Response r = given().contentType("application/json").body(body).post("/v1/chat/completions");
        r.then().statusCode(200).header("Content-Type", containsString("text/event-stream"));
        List<String> events = new ArrayList<>();
        for (String block : r.asString().split("\n\n")) {
            if (!block.isBlank()) {
                assertTrue(block.startsWith("data: "), block);
                events.add(block.substring("data: ".length()));
            }
        }
        assertEquals("[DONE]", events.get(events.size() - 1));
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(e);
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            JsonNode choice = chunk.at("/choices/0");
            assertTrue(choice.hasNonNull("response_id"));
            text.append(choice.at("/delta/content").asText(""));
            if (!choice.get("finish_reason").isNull()) {
                finish = choice.get("finish_reason").asText();
            }
        }
        assertEquals(whole, text.toString());
        assertTrue(List.of("stop", "length").contains(finish));
    }

    @Test
    void grpcCompleteAndStreamGiveTheRestAnswer() {
        String rest = given().contentType("application/json").body(chat("Hello, I am Ana."))
                .post("/v1/chat/completions").then().statusCode(200).extract().path("choices[0].message.content");
        ChatRequest request = ChatRequest.newBuilder().setPolicy("default")
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Hello, I am Ana."))
                .setMaxTokens(6).setSeed(7).setTemperature(0.9f).build();
        ChatServiceGrpc.ChatServiceBlockingStub stub = ChatServiceGrpc.newBlockingStub(channel);
        ChatResponse response = stub.complete(request);
        assertEquals(rest, response.getChoices(0).getMessage().getContent());
        assertEquals("default@0", response.getModel());
        StringBuilder streamed = new StringBuilder();
        Iterator<ChatChunk> chunks = stub.streamComplete(request);
        String finish = "";
        while (chunks.hasNext()) {
            ChatChunk c = chunks.next();
            streamed.append(c.getDelta());
            finish = c.getFinishReason().isEmpty() ? finish : c.getFinishReason();
        }
        assertEquals(rest, streamed.toString());
        assertTrue(List.of("stop", "length").contains(finish));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"messages\":[]}|messages",
            "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}|messages[0].role",
            "{\"messages\":[{\"role\":\"user\"}]}|messages[0].content",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":3}|temperature",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_p\":0}|top_p",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":25}|max_tokens",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":5}|n",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":7}|stop",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}|temperature",
    })
    void badRequestsGetProblemJsonNamingTheField(String body, String field) {
        given().contentType("application/json").body(body).post("/v1/chat/completions")
                .then().statusCode(400)
                .header("Content-Type", containsString("application/problem+json"))
                .body("status", equalTo(400))
                .body("field", equalTo(field))
                .body("detail", notNullValue());
    }

    @Test
    void malformedJsonTooLongPromptUnknownPolicyAndHugeBody() {
        given().contentType("application/json").body("{\"messages\": [").post("/v1/chat/completions")
                .then().statusCode(400).header("Content-Type", containsString("application/problem+json"));
        given().contentType("application/json").body(chat("word ".repeat(80))).post("/v1/chat/completions")
                .then().statusCode(400).body("field", equalTo("messages")).body("detail", containsString("context"));
        Map<String, Object> unknown = new java.util.HashMap<>(chat("hi"));
        unknown.put("model", "nope");
        given().contentType("application/json").body(unknown).post("/v1/chat/completions")
                .then().statusCode(404).header("Content-Type", containsString("application/problem+json"))
                .body("detail", containsString("nope"));
        given().contentType("application/json").body("{\"messages\":\"" + "x".repeat(70_000) + "\"}")
                .post("/v1/chat/completions")
                .then().statusCode(413).header("Content-Type", containsString("application/problem+json"));
    }

    @Test
    void grpcErrorsUseTheMatchingStatusCodes() {
        ChatServiceGrpc.ChatServiceBlockingStub stub = ChatServiceGrpc.newBlockingStub(channel);
        StatusRuntimeException empty = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> stub.complete(ChatRequest.newBuilder().setPolicy("default").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
        StatusRuntimeException unknown = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> stub.complete(ChatRequest.newBuilder().setPolicy("nope")
                        .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hi")).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    @Test
    void modelsHealthAndMetrics() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("default", "other"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].version", notNullValue());
        TestClients.management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        // Health and metrics live on the management port only: the public port is for chat.
        given().get("/q/metrics").then().statusCode(404);
        given().contentType("application/json").body(chat("hi")).post("/v1/chat/completions").then().statusCode(200);
        TestClients.management().get("/q/metrics").then().statusCode(200)
                .body(containsString("livedpo_serving_requests_total{"))
                .body(containsString("livedpo_serving_request_duration_seconds_bucket"))
                .body(containsString("livedpo_serving_time_to_first_token_seconds"))
                .body(containsString("livedpo_serving_generated_tokens_total"))
                .body(containsString("livedpo_serving_batch_size"))
                .body(containsString("livedpo_serving_model_info{"))
                .body(containsString("livedpo_serving_events_dropped_total"));
    }

    @Test
    void concurrentRequestsDecodedTogetherGiveTheSameTextAsAlone() throws Exception {
        List<String> questions = List.of("Hi", "What is 3 + 5?", "Tell me about dogs.", "Is the sun hot?",
                "How do I water a plant?", "Hello, I am Bo.");
        List<String> alone = new ArrayList<>();
        for (String q : questions) {
            alone.add(given().contentType("application/json").body(chat(q)).post("/v1/chat/completions")
                    .then().statusCode(200).extract().path("choices[0].message.content"));
        }
        double batchesBefore = batchCount();
        double sequencesBefore = batchSum();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(questions.size());
        try {
            List<java.util.concurrent.Future<String>> together = new ArrayList<>();
            for (String q : questions) {
                together.add(pool.submit(() -> given().contentType("application/json").body(chat(q))
                        .post("/v1/chat/completions").then().statusCode(200).extract()
                        .<String>path("choices[0].message.content")));
            }
            for (int i = 0; i < questions.size(); i++) {
                assertEquals(alone.get(i), together.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS),
                        questions.get(i));
            }
        } finally {
            pool.shutdown();
        }
        // The batch size is recorded per decoding step: more rows than steps means some steps decoded several.
        double steps = batchCount() - batchesBefore;
        double rows = batchSum() - sequencesBefore;
        assertTrue(steps > 0, "no decoding step was counted");
        assertTrue(rows > steps, "no two concurrent requests were decoded together: " + rows + " rows in " + steps
                + " steps");
    }

    private static double batchCount() {
        return metric("livedpo_serving_batch_size_count");
    }

    private static double batchSum() {
        return metric("livedpo_serving_batch_size_sum");
    }

    private static double metric(String name) {
        for (String line : TestClients.management().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
