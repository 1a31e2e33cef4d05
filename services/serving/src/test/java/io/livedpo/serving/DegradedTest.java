package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Without a Kafka broker and with a one-slot queue: chat still answers, lost events are counted, overload is 429 (also
 * for a streamed request, before its stream starts).
 */
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
        // How long the request takes is not asserted here (that is a benchmark's business); that it answers at all
        // while every send fails is.
        double before = metric("livedpo_serving_events_dropped_total");
        given().contentType("application/json").body(ChatApiTest.chat("Hi")).post("/v1/chat/completions")
                .then().statusCode(200);
        Awaitility.await("the undeliverable event counted as dropped").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> metric("livedpo_serving_events_dropped_total") >= before + 1);
    }

    @Test
    void overloadIs429WithRetryAfterNeverAHang() throws Exception {
        burst(false);
    }

    @Test
    void aStreamedRequestIsRefusedWith429BeforeItsStreamStarts() throws Exception {
        // Not a 200 with an error event in the stream: the refusal comes before the status line, as for a whole answer.
        burst(true);
    }

    /** Eight concurrent requests at a one-slot queue: each is served whole, or refused with a 429 problem. */
    private static void burst(boolean stream) throws Exception {
        // Eight threads of its own, released together: the common fork-join pool has one thread on two cores, which
        // would send the requests one by one and never fill the queue.
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch ready = new CountDownLatch(clients);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                calls.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return given().contentType("application/json")
                            .body(Map.of("messages", List.of(Map.of("role", "user", "content", "Tell me about cats.")),
                                    "max_tokens", 48, "seed", 1, "stop", "never-matches", "stream", stream))
                            .post("/v1/chat/completions");
                }));
            }
            ready.await();
            go.countDown();
            int ok = 0;
            int refused = 0;
            for (Future<Response> c : calls) {
                Response r = c.get(120, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    if (stream) {
                        String body = r.asString();
                        assertTrue(r.contentType().startsWith("text/event-stream"), r.contentType());
                        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
                        assertFalse(body.contains("\"error\""), "a served stream carries an error: " + body);
                    }
                    ok++;
                } else {
                    assertEquals(429, r.statusCode(), r.asString());
                    assertEquals("1", r.header("Retry-After"));
                    assertTrue(r.contentType().contains("application/problem+json"), r.contentType());
                    assertEquals(429, r.jsonPath().getInt("status"), r.asString());
                    refused++;
                }
            }
            assertTrue(ok >= 1, "nothing was served");
            assertTrue(refused >= 1, "eight concurrent requests never overflowed a one-slot queue");
        } finally {
            pool.shutdownNow();
        }
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
