package io.livedpo.feedback.service;

import io.livedpo.events.PairSource;
import io.livedpo.events.CanaryDecision;
import io.livedpo.feedback.canary.CanarySprt;
import io.livedpo.feedback.canary.CanaryTally;
import io.livedpo.feedback.metrics.CanaryMetrics;
import io.livedpo.feedback.metrics.VersionParents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's Prometheus counters (names fixed by the design) plus the per-policy tallies behind
 * {@code /v1/feedback/stats}. Counters are per process and, under exactly-once, may over-count work that a
 * crashed task redoes; the pairs topic itself is exact.
 */
@ApplicationScoped
public class FeedbackMetrics implements FeedbackObserver {

    private final MeterRegistry registry;
    private final PolicyStats stats;
    private final VersionParents parents;
    private final CanaryMetrics canary;
    private final Counter unmatched;
    // Each counted event used to build and sort a tag list and look the meter up; these resolve each once.
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    private final Map<VoteKey, Counter> votes = new ConcurrentHashMap<>();
    private final Map<PairSource, Counter> pairs = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();

    private record VoteKey(String policy, long modelVersion, String rating) {
    }

    public FeedbackMetrics(MeterRegistry registry, PolicyStats stats) {
        this.registry = registry;
        this.stats = stats;
        this.parents = new VersionParents(registry);
        this.canary = new CanaryMetrics(registry);
        this.unmatched = Counter.builder("livedpo_feedback_unmatched")
                .description("Feedback whose response did not arrive within the grace period")
                .register(registry);
    }

    @Override
    public void feedbackReceived(String kind) {
        events.computeIfAbsent(kind, k -> registry.counter("livedpo_feedback_events", "rating", k)).increment();
    }

    @Override
    public void voteCounted(String policy, long modelVersion, String rating) {
        // Per version: the learning curve and the learning-regression alert compare a version with its parent.
        votes.computeIfAbsent(new VoteKey(policy, modelVersion, rating), k -> registry.counter("livedpo_feedback_votes",
                "policy", k.policy(), "version", String.valueOf(k.modelVersion()), "rating", k.rating())).increment();
        parents.voted(policy, modelVersion);
        stats.vote(policy);
    }

    @Override
    public void pairEmitted(String policy, PairSource source) {
        pairs.computeIfAbsent(source, k -> registry.counter("livedpo_feedback_pairs", "source",
                k.name().toLowerCase(Locale.ROOT))).increment();
        stats.pair(policy);
    }

    @Override
    public void rejected(String reason) {
        rejections.computeIfAbsent(reason, k -> registry.counter("livedpo_feedback_rejected", "reason", k))
                .increment();
    }

    @Override
    public void unmatched() {
        unmatched.increment();
        stats.unmatched();
    }

    @Override
    public void canaryEvidence(CanaryTally tally, CanarySprt test, double logLikelihoodRatio) {
        canary.evidence(tally, test, logLikelihoodRatio);
    }

    @Override
    public void canaryDecided(CanaryDecision decision) {
        canary.decided(decision);
    }
}
