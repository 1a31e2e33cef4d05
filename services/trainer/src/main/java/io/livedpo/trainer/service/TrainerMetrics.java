package io.livedpo.trainer.service;

import io.livedpo.policy.train.StepResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The trainer's meters, under the names of the design (Micrometer dots become Prometheus underscores). */
public final class TrainerMetrics {

    private final MeterRegistry registry;
    /** Last value per gauge name and policy; gauges read these, so a value stays until the next step replaces it. */
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Instant>> lastCheckpoint = new ConcurrentHashMap<>();
    private final Timer feedbackToServing;

    public TrainerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.feedbackToServing = Timer.builder("livedpo.feedback.to.serving")
                .description("from the newest feedback behind a checkpoint to a serving replica confirming it active")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
    }

    public void step(String policy, StepResult result, long nanos) {
        Timer.builder("livedpo.trainer.step.duration").description("one mini-batch's DPO steps, forward to optimizer update")
                .tags("policy", policy).register(registry).record(nanos, TimeUnit.NANOSECONDS);
        if (!result.applied()) {
            Counter.builder("livedpo.trainer.skipped.batches").description("batches skipped, never applied")
                    .tags("policy", policy, "reason", result.skipReason()).register(registry).increment();
            return;
        }
        // One result per mini-batch, which the recipe may train for several optimizer steps.
        Counter.builder("livedpo.trainer.steps").description("optimizer steps applied").tags("policy", policy)
                .register(registry).increment(result.metrics().getOrDefault("steps", 1.0));
        set("livedpo.trainer.loss", policy, result.metrics().get("loss"));
        set("livedpo.trainer.reward.accuracy", policy, result.metrics().get("rewards/accuracies"));
        set("livedpo.trainer.reward.margin", policy, result.metrics().get("rewards/margins"));
    }

    /** Pairs by what became of them: trained, skipped (non-finite batch), duplicate, stale, dead_lettered. */
    public void pairs(String policy, String outcome, int count) {
        Counter.builder("livedpo.trainer.pairs").description("preference pairs consumed, by outcome")
                .tags("policy", policy, "outcome", outcome).register(registry).increment(count);
    }

    public void checkpointed(String policy, Instant at) {
        lastCheckpoint.computeIfAbsent(policy, p -> {
            AtomicReference<Instant> ref = new AtomicReference<>(at);
            Gauge.builder("livedpo.trainer.checkpoint.age", ref,
                            r -> Duration.between(r.get(), Instant.now()).toNanos() / 1e9)
                    .description("seconds since the policy's newest durable checkpoint").baseUnit("seconds")
                    .tags("policy", p).register(registry);
            return ref;
        }).set(at);
    }

    public void kl(String policy, double kl, boolean overBudget) {
        set("livedpo.trainer.kl", policy, kl);
        if (overBudget) {
            Counter.builder("livedpo.trainer.kl.budget.exceeded")
                    .description("checkpoints withheld because their KL estimate exceeded the budget")
                    .tags("policy", policy).register(registry).increment();
        }
    }

    /** One push to one replica: activated, canary, staged, rejected, failed (retries exhausted) or superseded. */
    public void push(String target, String outcome) {
        Counter.builder("livedpo.trainer.pushes").description("checkpoint pushes by replica and outcome")
                .tags(Tags.of("target", target, "outcome", outcome)).register(registry).increment();
    }

    /** The policy's training left a rolled-back line and continued from the promoted one. */
    public void canaryReset(String policy) {
        Counter.builder("livedpo.trainer.canary.resets")
                .description("times training left a line that a live canary rolled back").tags("policy", policy)
                .register(registry).increment();
    }

    /** A checkpoint withheld while the policy's live canary is undecided (only the newest is kept). */
    public void held(String policy) {
        Counter.builder("livedpo.trainer.canary.held")
                .description("checkpoints held back while a live canary was undecided").tags("policy", policy)
                .register(registry).increment();
    }

    public void feedbackToServing(Duration latency) {
        feedbackToServing.record(latency);
    }

    private void set(String name, String policy, Double value) {
        if (value == null) {
            return;
        }
        values.computeIfAbsent(name + "\u0000" + policy, k -> {
            AtomicReference<Double> ref = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, ref, AtomicReference::get).tags("policy", policy).register(registry);
            return ref;
        }).set(value);
    }
}
