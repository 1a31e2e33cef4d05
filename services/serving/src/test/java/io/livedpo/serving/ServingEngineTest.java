package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.policy.checkpoint.ModelFingerprint;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.serving.engine.BatchScheduler;
import io.livedpo.serving.service.ModelName;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving engine through the real HTTP API: a running batch that mixes policies and pinned versions answers each
 * request as it would alone, and a streaming client that hangs up frees its sequence's slot at once.
 *
 * <p>The base is a random GPT-2 with the fixture's tokenizer and a 1,024-token context ({@link LongContextModel}; the
 * fixture model's 64 would let a whole answer finish in a few milliseconds, before a hang-up could be seen): its
 * greedy answer to the streamed prompt never reaches end-of-text, so an uncancelled stream would run to 900 tokens.
 */
@QuarkusTest
@TestProfile(ServingEngineTest.LongContext.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class ServingEngineTest extends LoopbackChannelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LONG_ANSWER = 900;

    /** Two policies besides the base, answers of up to 900 tokens, the long-context random base. */
    public static class LongContext implements QuarkusTestProfile {
        static final Path MODEL = randomLongContextModel();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("livedpo.serving.model-dir", MODEL.toString(),
                    "livedpo.serving.policies", "default,alpha,beta",
                    "livedpo.serving.limits.max-tokens", Integer.toString(LONG_ANSWER));
        }

        private static Path randomLongContextModel() {
            try {
                return LongContextModel.write(Files.createTempDirectory("livedpo-long-context"), 3L);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    BatchScheduler scheduler;

    @TempDir
    static Path work;

    private static Map<String, Object> chat(String model, String content) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", content)));
        body.put("max_tokens", 16);
        body.put("seed", 11);
        body.put("temperature", 0.9);
        return body;
    }

    /** What a request answered and which version answered it (body and header must agree). */
    private record Answer(String text, String model) {
        static Answer of(Response r) {
            r.then().statusCode(200);
            String model = r.path("model");
            assertEquals(model, r.header(ModelName.HEADER), "the header names the version that answered");
            return new Answer(r.path("choices[0].message.content"), model);
        }
    }

    private static Answer ask(Map<String, Object> body) {
        return Answer.of(given().contentType("application/json").body(body).post("/v1/chat/completions"));
    }

    @Test
    void requestsOverTwoPoliciesAndPinnedVersionsShareABatchAndAnswerAsAlone() throws Exception {
        String base = ModelFingerprint.of(LongContext.MODEL);
        ModelControlGrpc.ModelControlStub control = TestClients.control(controlChannel, TestClients.TOKEN);
        for (String[] pv : new String[][] {{"alpha", "1"}, {"alpha", "2"}, {"beta", "1"}}) {
            long version = Long.parseLong(pv[1]);
            TestClients.Archive archive = TestClients.checkpoint(LongContext.MODEL, work, pv[0], version, base, 0.5f, 0);
            PushCheckpointResponse ok = TestClients.push(control, pv[0], version, archive, false).get(60,
                    TimeUnit.SECONDS);
            assertEquals(version, ok.getActiveVersion(), pv[0] + "@" + version);
        }
        // alpha@1 is alpha's previous version now, still loaded: a pin reaches it beside the active alpha@2.
        List<String> models = List.of("default", "alpha@1", "alpha@2", "alpha", "beta@1", "beta", "alpha@1",
                "default");
        List<String> prompts = List.of("Hi", "What is 3 + 5?", "Tell me about dogs.", "Is the sun hot?",
                "How do I water a plant?", "Hello, I am Bo.", "Hi", "What is 3 + 5?");
        List<Answer> alone = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            alone.add(ask(chat(models.get(i), prompts.get(i))));
        }
        assertEquals(List.of("default@0", "alpha@1", "alpha@2", "alpha@2", "beta@1", "beta@1", "alpha@1",
                "default@0"), alone.stream().map(Answer::model).toList());
        // The adapters matter: the same prompt and seed on the base and on alpha@1 give different text, and so do
        // two versions of one policy, so a row decoded with the wrong adapter would show.
        assertNotEquals(alone.get(0).text(), alone.get(6).text(), "base vs alpha@1");
        assertNotEquals(ask(chat("alpha@1", "Hello, I am Bo.")).text(), ask(chat("alpha@2", "Hello, I am Bo."))
                .text(), "alpha@1 vs alpha@2");
        assertNotEquals(alone.get(2).text(), ask(chat("beta@1", prompts.get(2))).text(), "alpha@2 vs beta@1");

        double stepsBefore = metric("livedpo_serving_batch_size_count");
        double rowsBefore = metric("livedpo_serving_batch_size_sum");
        ExecutorService pool = Executors.newFixedThreadPool(models.size());
        try {
            List<Future<Answer>> together = new ArrayList<>();
            for (int i = 0; i < models.size(); i++) {
                Map<String, Object> body = chat(models.get(i), prompts.get(i));
                together.add(pool.submit(() -> ask(body)));
            }
            for (int i = 0; i < models.size(); i++) {
                assertEquals(alone.get(i), together.get(i).get(60, TimeUnit.SECONDS), models.get(i) + ": "
                        + prompts.get(i));
            }
        } finally {
            pool.shutdown();
        }
        double steps = metric("livedpo_serving_batch_size_count") - stepsBefore;
        double rows = metric("livedpo_serving_batch_size_sum") - rowsBefore;
        assertTrue(rows > steps, "no two of the concurrent requests were decoded in one step: " + rows + " rows in "
                + steps + " steps");
    }

    @Test
    void aStreamingClientThatHangsUpFreesItsSlotAtOnce() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> scheduler.running() == 0);
        double cancelledBefore = metric("livedpo_serving_sequences_cancelled_total");
        Map<String, Object> body = new LinkedHashMap<>(chat("default", "Tell me everything about dogs."));
        body.put("temperature", 0);
        body.put("max_tokens", LONG_ANSWER);
        body.put("stream", true);
        byte[] json = JSON.writeValueAsBytes(body);
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + url.getHost() + "\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            int contentChunks = 0;
            while (contentChunks < 2 && (line = in.readLine()) != null) {
                if (line.startsWith("data: ") && line.contains("\"content\"") && !line.contains("\"role\"")) {
                    contentChunks++;
                }
            }
            assertEquals(2, contentChunks, "the stream ended before its second token");
            // Two tokens of 900 are out: the sequence is decoding, in a slot of the running batch.
            assertEquals(1, scheduler.running(), "the streamed sequence is not running");
            assertEquals(cancelledBefore, metric("livedpo_serving_sequences_cancelled_total"));
        } // hang up mid-stream
        // Serving sees the hang-up on its next write and cancels; the slot is free before the answer could finish.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.running() == 0);
        assertEquals(cancelledBefore + 1, metric("livedpo_serving_sequences_cancelled_total"),
                "the sequence left the batch without being cancelled: it ran to its end");
        TestClients.management().get("/q/metrics").then().body(org.hamcrest.Matchers.containsString(
                "livedpo_serving_sequences_running "));
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
