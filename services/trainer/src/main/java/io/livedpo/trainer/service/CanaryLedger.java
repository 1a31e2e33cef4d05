package io.livedpo.trainer.service;

import io.livedpo.events.CanaryDecision;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What the trainer knows of the live canary: the versions it published as canaries and still awaits a verdict on,
 * and every version that was rolled back. Written by the decisions reader and the publisher, read by the training
 * thread; thread-safe. A rolled-back version is never trained on again, nor is anything that descends from it.
 */
public final class CanaryLedger {

    private final Map<String, Set<Long>> rolledBack = new ConcurrentHashMap<>();
    private final Map<String, Long> awaiting = new ConcurrentHashMap<>();
    private final Map<String, Long> promoted = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong rollbacks = new java.util.concurrent.atomic.AtomicLong();
    private volatile Consumer<CanaryDecision> listener = d -> { };

    /** Who else must hear of each decision (the publisher, to release what it held back). */
    public void onDecision(Consumer<CanaryDecision> listener) {
        this.listener = listener;
    }

    public void record(CanaryDecision decision) {
        if (decision.action() == CanaryDecision.Action.ROLLBACK) {
            rolledBack.computeIfAbsent(decision.policy(), p -> ConcurrentHashMap.newKeySet())
                    .add(decision.candidateVersion());
            rollbacks.incrementAndGet();
        } else {
            promoted.merge(decision.policy(), decision.candidateVersion(), Math::max);
        }
        awaiting.remove(decision.policy(), decision.candidateVersion());
        listener.accept(decision);
    }

    /** Grows with every rollback recorded: the training thread re-checks its lineage only when it moved. */
    public long rollbacks() {
        return rollbacks.get();
    }

    public Set<Long> rolledBack(String policy) {
        return Set.copyOf(rolledBack.getOrDefault(policy, new HashSet<>()));
    }

    /** True when any version of {@code lineage} (a version and its ancestors) was rolled back. */
    public boolean tainted(String policy, Set<Long> lineage) {
        Set<Long> bad = rolledBack.get(policy);
        return bad != null && lineage.stream().anyMatch(bad::contains);
    }

    /** A version was published as a live canary; the next waits until it is decided. */
    public void awaiting(String policy, long version) {
        awaiting.put(policy, version);
    }

    /** A published canary that no replica took: nothing waits for it any more. */
    public void abandon(String policy, long version) {
        awaiting.remove(policy, version);
    }

    /** The canary of {@code policy} still undecided, if any. */
    public OptionalLong awaiting(String policy) {
        Long v = awaiting.get(policy);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }
}
