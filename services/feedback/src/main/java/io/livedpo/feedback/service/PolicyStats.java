package io.livedpo.feedback.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Votes and pairs per policy since this process started (in memory; Prometheus keeps history). Unmatched feedback
 * has no policy — its response never arrived — so it is one total.
 */
@ApplicationScoped
public class PolicyStats {

    private final Map<String, LongAdder> votes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> pairs = new ConcurrentHashMap<>();
    private final LongAdder unmatched = new LongAdder();

    void vote(String policy) {
        votes.computeIfAbsent(policy, key -> new LongAdder()).increment();
    }

    void pair(String policy) {
        pairs.computeIfAbsent(policy, key -> new LongAdder()).increment();
    }

    void unmatched() {
        unmatched.increment();
    }

    public Snapshot snapshot() {
        Map<String, PolicyCounts> policies = new TreeMap<>();
        votes.forEach((policy, count) -> policies.put(policy, new PolicyCounts(count.sum(), 0)));
        pairs.forEach((policy, count) -> policies.merge(policy, new PolicyCounts(0, count.sum()),
                (a, b) -> new PolicyCounts(a.votes(), b.pairs())));
        return new Snapshot(policies, unmatched.sum());
    }

    public record PolicyCounts(long votes, long pairs) {
    }

    public record Snapshot(Map<String, PolicyCounts> policies, long unmatched) {
    }
}
