package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without a Kafka broker and with a one-slot queue: chat still answers, lost events are counted, overload is 429. */
@QuarkusTest
@TestProfile(DegradedTest.NoBrokerTinyQueue.class)
class DegradedTest {

    public static class NoBrokerTinyQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "localhost:" + freePort(),
                    "livedpo.serving.events.max-block", "200ms",
                    "livedpo.serving.events.max-attempts", "2",
                    "livedpo.serving.batching.max-queue", "1",
                    "livedpo.serving.batching.max-running", "1",
                    "livedpo.serving.limits.max-tokens", "64");
        }

        private static int freePort() {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort(); // closed again: nothing listens there
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void chatAnswersWithoutABrokerAndCountsTheEventsItCouldNotDeliver() {
        long start = System.nanoTime();
        given().contentType("application/json").body(ChatApiTest.chat("Hi")).post("/v1/chat/completions")
                .then().statusCode(200);
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10, "a dead broker stalled the request");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double dropped = 0;
        while (System.nanoTime() < deadline && dropped < 1) {
            dropped = metric("livedpo_serving_events_dropped_total");
        }
        assertEquals(1.0, dropped, "the undeliverable event was not counted as dropped");
    }

    @Test
    void overloadIs429WithRetryAfterNeverAHang() throws Exception {
        List<CompletableFuture<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> given().contentType("application/json")
                    .body(Map.of("messages", List.of(Map.of("role", "user", "content", "Tell me about cats.")),
                            "max_tokens", 48, "seed", 1, "stop", "never-matches"))
                    .post("/v1/chat/completions")));
        }
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<Response> c : calls) {
            Response r = c.get(120, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(429, r.statusCode(), r.asString());
                assertEquals("1", r.header("Retry-After"));
                assertTrue(r.contentType().contains("application/problem+json"));
                refused++;
            }
        }
        assertTrue(ok >= 1, "nothing was served");
        assertTrue(refused >= 1, "eight concurrent requests never overflowed a one-slot queue");
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
