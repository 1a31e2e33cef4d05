package io.livedpo.trainer.service;

import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.optim.AdamWState;
import io.livedpo.policy.train.OnlineDpo;
import io.livedpo.policy.train.StepResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One policy's training state in this process: its adapter and optimizer, what its newest checkpoint covers, and
 * what was consumed since (buffered or trained, not yet durable). Every field changes only through the methods here,
 * which keep them consistent; the one caller is the training session's thread.
 */
final class PolicyState {

    private final String policy;
    private final LoraAdapter adapter;
    private final OnlineDpo trainer;
    /** The newest durable version (0: none yet, training starts from the base). */
    private long version;
    private long pairsTrained;
    private Instant lastCheckpointAt;
    private Instant newestFeedbackAt;
    /** Per partition, the highest offset accounted for: by the checkpoint, or consumed since. */
    private final Map<Partition, Long> coveredThrough;
    private final Set<Partition> partitions = new HashSet<>();
    /** Bounded insertion-ordered set of the newest pair ids seen, for dedupe across offsets. */
    private final LinkedHashSet<String> recentPairIds = new LinkedHashSet<>();
    private final int dedupeWindow;

    private final List<BufferedPair> buffer = new ArrayList<>();
    private final Map<Partition, OffsetRange> pendingOffsets = new LinkedHashMap<>();
    private final List<String> pendingPairIds = new ArrayList<>();
    private final List<String> pendingSkipped = new ArrayList<>();
    private int stepsSinceCheckpoint;
    private Map<String, Double> lastMetrics = Map.of();
    /** Over the KL budget with continue-on-breach off: consumes nothing more until restarted. */
    private boolean halted;

    PolicyState(String policy, LoraAdapter adapter, OnlineDpo trainer, long version, long pairsTrained,
                Instant lastCheckpointAt, CheckpointCoverage coverage, int dedupeWindow) {
        this.policy = policy;
        this.adapter = adapter;
        this.trainer = trainer;
        this.version = version;
        this.pairsTrained = pairsTrained;
        this.lastCheckpointAt = lastCheckpointAt;
        this.newestFeedbackAt = coverage.newestFeedbackAt();
        this.coveredThrough = new LinkedHashMap<>(coverage.coveredThrough());
        this.dedupeWindow = dedupeWindow;
    }

    String policy() {
        return policy;
    }

    LoraAdapter adapter() {
        return adapter;
    }

    /** The optimizer's state, shared with it: written with each checkpoint. */
    AdamWState optimizerState() {
        return trainer.trainer().optimizerState();
    }

    long version() {
        return version;
    }

    long pairsTrained() {
        return pairsTrained;
    }

    boolean halted() {
        return halted;
    }

    void halt() {
        halted = true;
    }

    boolean covers(Partition partition, long offset) {
        Long through = coveredThrough.get(partition);
        return through != null && offset <= through;
    }

    boolean seen(String pairId) {
        return recentPairIds.contains(pairId);
    }

    void remember(String pairId) {
        recentPairIds.add(pairId);
        Iterator<String> oldest = recentPairIds.iterator();
        while (recentPairIds.size() > dedupeWindow && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    /** Accounts a consumed record, whether it is trained, skipped or a duplicate: its offset is then covered. */
    void consumed(Partition partition, long offset) {
        partitions.add(partition);
        coveredThrough.merge(partition, offset, Math::max);
        pendingOffsets.merge(partition, new OffsetRange(offset, offset), (a, b) -> a.including(offset));
    }

    boolean consumedFromAny(Collection<Partition> moved) {
        return partitions.stream().anyMatch(moved::contains);
    }

    void buffer(BufferedPair pair) {
        buffer.add(pair);
    }

    int buffered() {
        return buffer.size();
    }

    /** True when the oldest buffered pair has waited at least {@code wait}. */
    boolean oldestWaited(Duration wait) {
        return !buffer.isEmpty() && System.nanoTime() - buffer.get(0).arrivedNanos() >= wait.toNanos();
    }

    /** Removes and returns the oldest {@code n} buffered pairs, for one step. */
    List<BufferedPair> takeBatch(int n) {
        List<BufferedPair> batch = new ArrayList<>(buffer.subList(0, n));
        buffer.subList(0, n).clear();
        return batch;
    }

    /** Runs one optimizer step on {@code batch}; the result says whether it was applied. */
    StepResult step(List<BufferedPair> batch) {
        StepResult result = trainer.train(batch.stream().map(BufferedPair::example).toList());
        if (result.applied()) {
            stepsSinceCheckpoint++;
            pairsTrained += batch.size();
            pendingPairIds.addAll(result.pairIds());
            lastMetrics = result.metrics();
            for (BufferedPair p : batch) {
                if (newestFeedbackAt == null || p.newestFeedbackAt().isAfter(newestFeedbackAt)) {
                    newestFeedbackAt = p.newestFeedbackAt();
                }
            }
        } else {
            pendingSkipped.addAll(result.pairIds());
        }
        return result;
    }

    boolean dirty() {
        return stepsSinceCheckpoint > 0;
    }

    /** K steps since the last checkpoint, or trained since one older than T. */
    boolean checkpointDue(int everySteps, Duration every, Instant now) {
        return stepsSinceCheckpoint >= everySteps
                || dirty() && Duration.between(lastCheckpointAt, now).compareTo(every) >= 0;
    }

    /** The metadata to write as {@code newVersion}, covering everything consumed since the last checkpoint. */
    CheckpointMetadata draft(long newVersion, String baseModel, Instant at) {
        return CheckpointMetadata.draft(policy, newVersion, version, baseModel, pairsTrained, lastMetrics, at,
                new CheckpointCoverage(pendingOffsets, coveredThrough, pendingPairIds, pendingSkipped,
                        newestFeedbackAt).toAttributes());
    }

    Map<String, Double> lastMetrics() {
        return lastMetrics;
    }

    void checkpointed(long newVersion, Instant at) {
        version = newVersion;
        lastCheckpointAt = at;
        pendingOffsets.clear();
        pendingPairIds.clear();
        pendingSkipped.clear();
        stepsSinceCheckpoint = 0;
    }

    /**
     * This policy's state continued from another adapter (its checkpoint {@code version}): what was consumed, covered,
     * remembered and buffered carries over; training since the last checkpoint does not (its steps were on the
     * adapter being replaced). The caller closes this state's adapter.
     */
    PolicyState rebase(LoraAdapter other, OnlineDpo otherTrainer, long otherVersion, long otherPairsTrained) {
        PolicyState next = new PolicyState(policy, other, otherTrainer, otherVersion, otherPairsTrained,
                Instant.now(), new CheckpointCoverage(Map.of(), coveredThrough, List.of(), List.of(), newestFeedbackAt),
                dedupeWindow);
        next.partitions.addAll(partitions);
        next.recentPairIds.addAll(recentPairIds);
        next.buffer.addAll(buffer);
        next.pendingOffsets.putAll(pendingOffsets);
        return next;
    }

    void close() {
        adapter.close();
    }
}
