package io.livedpo.feedback.streams;

import static io.livedpo.feedback.streams.TopologyHarness.response;

import io.livedpo.events.Rating;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Input events per second through all four stages on a TopologyTestDriver: {@code -Dlivedpo.bench=true}.
 * Caveat: the driver commits, and so flushes every RocksDB store, after each input record, which dominates; the
 * figure is a floor, not the throughput of a real deployment (which commits every 100 ms under exactly-once).
 */
@EnabledIfSystemProperty(named = "livedpo.bench", matches = "true")
class TopologyThroughputBench {

    @Test
    void eventsPerSecond() {
        int prompts = Integer.getInteger("bench.prompts", 250);
        try (TopologyHarness harness = new TopologyHarness(TopologyHarness.config())) {
            long started = System.nanoTime();
            for (int i = 0; i < prompts; i++) {
                harness.send(response("a" + i, "q" + i, "good " + i, 1));
                harness.send(response("b" + i, "q" + i, "bad " + i, 1));
                harness.thumbs("a" + i, Rating.UP, "u" + i, Duration.ZERO);
                harness.thumbs("b" + i, Rating.DOWN, "v" + i, Duration.ZERO);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            int pairs = harness.pairs().size();
            System.out.printf("BENCH topology: %d events in %.1f s = %.0f events/s, %d pairs%n", prompts * 4, seconds,
                    prompts * 4 / seconds, pairs);
        }
    }
}
