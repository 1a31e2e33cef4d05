package io.livedpo.feedback.rest;

import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Sustained accepted feedback per second (acks=all) over loopback, with latency percentiles:
 * {@code -Dlivedpo.bench=true}, optional {@code -Dbench.clients=16,64,256 -Dbench.seconds=10 -Dbench.warmup=3
 * -Dbench.rounds=1}: per client count a warm-up of {@code warmup} seconds, then {@code rounds} measured runs of
 * {@code seconds} each, every one reported, and with more than one round the best and the last (steady state, once
 * the JIT has compiled the request path, is the last rounds' figure; the first is often still compiling).
 * Each client is a closed loop on its own keep-alive HTTP/1.1 connection (the next request when the last is
 * answered); all clients run on one Vert.x event loop of their own, so the load generator costs little of the two
 * cores the broker and the app also use. Each request has its own user so the rate limiter never refuses. Broker,
 * app and clients share one JVM and the machine, so the figures are lower bounds; on a shared machine the JVM's CPU
 * time per accepted vote (broker and clients included) is the steadier figure.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@EnabledIfSystemProperty(named = "livedpo.bench", matches = "true")
class RestThroughputBench {

    /** The whole JVM's CPU time: broker, app and clients, so the per-vote figure is everything one vote costs. */
    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    @TestHTTPResource("/v1/feedback")
    URI endpoint;

    @Test
    void sustainedThumbsPerSecond() throws Exception {
        long seconds = Long.getLong("bench.seconds", 10);
        long warmup = Long.getLong("bench.warmup", 3);
        int rounds = Integer.getInteger("bench.rounds", 1);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try {
            List<String> lines = new ArrayList<>();
            for (String c : System.getProperty("bench.clients", "16").split(",")) {
                int clients = Integer.parseInt(c.trim());
                run(vertx, clients, warmup);
                Result best = null;
                Result last = null;
                for (int round = 1; round <= rounds; round++) {
                    last = run(vertx, clients, seconds);
                    String line = "BENCH rest: " + clients + " clients, round " + round + "/" + rounds + ", "
                            + last.line();
                    System.out.println(line);
                    lines.add(line);
                    best = best == null || last.perSecond() > best.perSecond() ? last : best;
                }
                if (rounds > 1) {
                    String line = "BENCH rest: " + clients + " clients, best of " + rounds + " rounds: " + best.line()
                            + "; last: " + last.line();
                    System.out.println(line);
                    lines.add(line);
                }
            }
            Files.write(Path.of("target", "rest-throughput-bench.txt"), lines);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** One measured run: its accepted votes per second and its report line. */
    private record Result(double perSecond, String line) {
    }

    private Result run(Vertx vertx, int clients, long seconds) throws Exception {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(clients));
        RequestOptions target = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.getHost())
                .setPort(endpoint.getPort()).setURI(endpoint.getPath()).putHeader("Content-Type", "application/json");
        long cpuStart = CPU.getProcessCpuTime();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        LongAdder other = new LongAdder();
        AtomicInteger running = new AtomicInteger(clients);
        CompletableFuture<Void> done = new CompletableFuture<>();
        for (int i = 0; i < clients; i++) {
            latencies[i] = new long[1024];
            int client = i;
            // Every callback of this client runs on the one event loop, so its arrays need no locking.
            vertx.runOnContext(v -> next(http, target, end, client, latencies, counts, other, running, done));
        }
        done.get(seconds + 60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (CPU.getProcessCpuTime() - cpuStart) / 1e9;
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < clients; i++) {
            System.arraycopy(latencies[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        return new Result(total / elapsed, String.format("%.1f s: %.0f accepted/s, p50 %.1f ms, p99 %.1f ms,"
                        + " max %.1f ms (%d accepted, %d other), JVM CPU %.1f s = %.2f CPU ms per accepted vote,"
                        + " loadavg %s", elapsed, total / elapsed, pct(all, 0.50), pct(all, 0.99),
                total == 0 ? 0 : all[total - 1] / 1e6, total, other.sum(), cpuSeconds,
                total == 0 ? 0 : 1000 * cpuSeconds / total, load));
    }

    private void next(HttpClient http, RequestOptions target, long end, int client, long[][] latencies, int[] counts,
                      LongAdder other, AtomicInteger running, CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            if (running.decrementAndGet() == 0) {
                done.complete(null);
            }
            return;
        }
        Buffer body = Buffer.buffer("{\"response_id\":\"" + UUID.randomUUID() + "\",\"rating\":\"up\",\"user_id\":\""
                + UUID.randomUUID() + "\"}");
        long t0 = System.nanoTime();
        http.request(target)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(b -> response.statusCode()))
                .onComplete(result -> {
                    long t = System.nanoTime() - t0;
                    if (result.succeeded() && result.result() == 202) {
                        if (counts[client] == latencies[client].length) {
                            latencies[client] = Arrays.copyOf(latencies[client], counts[client] * 2);
                        }
                        latencies[client][counts[client]++] = t;
                    } else {
                        other.increment();
                    }
                    next(http, target, end, client, latencies, counts, other, running, done);
                });
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0
                : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
