package io.livedpo.feedback.rest;

import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Sustained accepted feedback per second (acks=all) over loopback: {@code -Dlivedpo.bench=true}, optional
 * {@code -Dbench.clients=16 -Dbench.seconds=10}. Each request has its own user so the rate limiter never refuses.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@EnabledIfSystemProperty(named = "livedpo.bench", matches = "true")
class RestThroughputBench {

    @TestHTTPResource("/v1/feedback")
    URI endpoint;

    @Test
    void sustainedThumbsPerSecond() throws Exception {
        int clients = Integer.getInteger("bench.clients", 16);
        long seconds = Long.getLong("bench.seconds", 10);
        HttpClient http = HttpClient.newHttpClient();
        LongAdder accepted = new LongAdder();
        LongAdder other = new LongAdder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    String body = "{\"response_id\":\"" + UUID.randomUUID() + "\",\"rating\":\"up\",\"user_id\":\""
                            + UUID.randomUUID() + "\"}";
                    HttpResponse<Void> response = http.send(HttpRequest.newBuilder(endpoint)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    (response.statusCode() == 202 ? accepted : other).increment();
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 30, TimeUnit.SECONDS);
        System.out.printf("BENCH rest: %d clients, %d s: %.0f accepted/s (%d other)%n", clients, seconds,
                accepted.sum() / (double) seconds, other.sum());
    }
}
