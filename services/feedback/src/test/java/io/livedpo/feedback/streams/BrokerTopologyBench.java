package io.livedpo.feedback.streams;

import static io.restassured.RestAssured.given;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.feedback.ManagementEndpoints;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptHash;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.feedback.TopicReader;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Pairs per second out of the running app's topology on the embedded broker (exactly_once_v2, the app's own
 * settings): {@code -Dlivedpo.bench=true}; optional {@code -Dbench.responses=10000} (responses per pass, as many
 * thumbs) and {@code -Dbench.warm-passes=3}. Each pass writes N responses (two per prompt) and N opposite thumbs
 * straight to the input topics, so REST is not part of the figure ({@code RestThroughputBench} measures it), and
 * times from the first write to the last of the N/2 pairs read back (committed), once the app is ready. Each vote
 * has its own user so no cap refuses a pair. The first pass is cold (the JIT still compiling the topology's code:
 * the figure earlier sessions reported); the warm passes that follow, each on fresh prompts, are the topology's
 * throughput, reported one by one and then as best and last (a last pass far below the best means the state grew
 * or the machine got busier, not that the JIT was still warming up).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@EnabledIfSystemProperty(named = "livedpo.bench", matches = "true")
class BrokerTopologyBench {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    /** The whole JVM's CPU time (broker, app and bench): per input event the steadier figure on a shared machine. */
    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    @Test
    void pairsPerSecond() {
        int responses = Integer.getInteger("bench.responses", 10_000);
        int warmPasses = Integer.getInteger("bench.warm-passes", 3);
        // Kafka Streams starts after the app does: time the topology, not its start-up and first rebalance.
        Awaitility.await("ready").atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> ManagementEndpoints.given().get("/q/health/ready").then().statusCode(200));
        // One reader for every pass: each pass waits only for its own pairs, and no pass re-reads the earlier ones.
        try (TopicReader<PreferencePair> pairs = new TopicReader<>(bootstrap, Topics.PAIRS,
                new JsonDeserializer<>(PreferencePair.class))) {
            pass("cold", responses, pairs);
            double best = 0;
            double last = 0;
            for (int i = 1; i <= warmPasses; i++) {
                last = pass("warm " + i + "/" + warmPasses, responses, pairs);
                best = Math.max(best, last);
            }
            if (warmPasses > 0) {
                System.out.printf("BENCH broker topology warm: best %.0f, last %.0f input events/s over %d passes,"
                        + " loadavg %s%n", best, last, warmPasses, loadAverage());
            }
        }
    }

    /** @return input events per second of this pass */
    private double pass(String label, int responses, TopicReader<PreferencePair> pairs) {
        int prompts = responses / 2;
        String run = UUID.randomUUID().toString();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new JsonSerializer<>())) {
            long cpuStart = CPU.getProcessCpuTime();
            long started = System.nanoTime();
            for (int i = 0; i < prompts; i++) {
                List<PromptMessage> prompt = List.of(new PromptMessage("user", "bench " + run + " " + i));
                for (String side : List.of("a", "b")) {
                    String id = run + side + i;
                    producer.send(new ProducerRecord<>(Topics.RESPONSES, id, new ResponseEvent(ResponseEvent.SCHEMA,
                            id, "c" + i, "bench", 1, prompt, "answer " + id, null, PromptHash.of("bench", prompt),
                            Instant.now())));
                }
            }
            for (int i = 0; i < prompts; i++) {
                for (String side : List.of("a", "b")) {
                    FeedbackEvent vote = FeedbackEvent.thumbs(UUID.randomUUID().toString(), run + side + i,
                            side.equals("a") ? Rating.UP : Rating.DOWN, side + i + run, null, Instant.now());
                    producer.send(new ProducerRecord<>(Topics.FEEDBACK, vote.key(), vote));
                }
            }
            producer.flush();
            double written = (System.nanoTime() - started) / 1e9;
            pairs.readUntil(seen -> seen.stream().filter(p -> p.chosenResponseId().startsWith(run)).count() >= prompts,
                    Duration.ofMinutes(5));
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpuSeconds = (CPU.getProcessCpuTime() - cpuStart) / 1e9;
            double eventsPerSecond = 2 * responses / seconds;
            System.out.printf("BENCH broker topology (%s): %d responses + %d thumbs written in %.1f s, %d pairs after"
                            + " %.1f s = %.0f pairs/s (%.0f input events/s), JVM CPU %.1f s = %.3f CPU ms per input"
                            + " event, loadavg %s%n", label, responses, responses, written, prompts, seconds,
                    prompts / seconds, eventsPerSecond, cpuSeconds, 1000 * cpuSeconds / (2 * responses),
                    loadAverage());
            return eventsPerSecond;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
