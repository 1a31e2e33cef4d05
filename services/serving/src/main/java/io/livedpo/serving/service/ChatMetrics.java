package io.livedpo.serving.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** The chat use case's meters: requests by outcome, latency, generated tokens. */
@ApplicationScoped
public class ChatMetrics {

    private final MeterRegistry meters;
    private final Timer duration;
    private final Counter generatedTokens;

    public ChatMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.duration = Timer.builder("livedpo.serving.request.duration").description("chat request latency")
                .publishPercentileHistogram().register(meters);
        this.generatedTokens = Counter.builder("livedpo.serving.generated.tokens")
                .description("completion tokens generated").register(meters);
    }

    void completed(ChatResult result, long startNanos) {
        generatedTokens.increment(result.completionTokens());
        duration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        outcome("ok");
    }

    /**
     * {@code ok}, {@code invalid}, {@code not_found}, {@code timeout}, {@code overloaded}, {@code cancelled} (the
     * client went away) or {@code error}.
     */
    void outcome(String outcome) {
        meters.counter("livedpo.serving.requests", "outcome", outcome).increment();
    }
}
