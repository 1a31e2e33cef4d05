package io.livedpo.events.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The filter on the registry Quarkus scrapes, with meters shaped like the upstream ones promtool flagged on the
 * services' pages (PrometheusStackIT runs promtool itself on the real pages).
 */
class PrometheusNamingTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    PrometheusNamingTest() {
        registry.config().meterFilter(new PrometheusNaming());
    }

    @Test
    void everyHelpLineHasTextAndNoDoubleQuote() {
        registry.counter("livedpo.serving.requests", "outcome", "ok").increment();
        Gauge.builder("netty.allocator.memory.used", () -> 1.0).register(registry);
        Gauge.builder("jvm.quoted", () -> 1.0).description("the \"quoted\" one").register(registry);

        List<String> help = lines("# HELP ");
        assertEquals(3, help.size(), String.join("\n", help));
        for (String line : help) {
            String[] parts = line.split(" ", 4);
            assertTrue(parts.length == 4 && !parts[3].isBlank(), "help text in: " + line);
            assertFalse(parts[3].contains("\""), line);
        }
        assertTrue(help.contains("# HELP livedpo_serving_requests_total "
                + PrometheusNaming.HELP.get("livedpo.serving.requests")), String.join("\n", help));
        assertTrue(help.contains("# HELP netty_allocator_memory_used "
                + PrometheusNaming.derivedHelp("netty.allocator.memory.used")), String.join("\n", help));
    }

    @Test
    void subSecondUnitsAndLongTaskTimersAreDroppedAndCountGaugesBecomePlurals() {
        FunctionCounter.builder("kafka.consumer.io.time.ns.total", this, o -> 1.0).register(registry);
        Gauge.builder("kafka.app.info.start.time.ms", () -> 1.0).register(registry);
        FunctionCounter.builder("process.cpu.time", this, o -> 1.0).baseUnit("ns").register(registry);
        Gauge.builder("system.cpu.count", () -> 2.0).register(registry);
        Gauge.builder("kafka.consumer.connection.count", () -> 1.0).register(registry);
        LongTaskTimer.builder("http.server.connections").register(registry).start();
        Counter.builder("kept.seconds").baseUnit("seconds").register(registry);

        String page = registry.scrape();
        assertFalse(page.contains("_ns"), page);
        assertFalse(page.contains("_ms"), page);
        assertFalse(page.contains("process_cpu_time"), page);
        assertFalse(page.contains("_count "), page);
        assertFalse(page.contains("http_server_connections"), page);
        assertTrue(page.contains("\nsystem_cpus 2.0"), page);
        assertTrue(page.contains("\nkafka_consumer_connections 1.0"), page);
        assertTrue(page.contains("\nkept_seconds_total 0.0"), page);
    }

    private List<String> lines(String prefix) {
        return registry.scrape().lines().filter(l -> l.startsWith(prefix)).toList();
    }
}
