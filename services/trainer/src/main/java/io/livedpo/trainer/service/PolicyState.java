package io.livedpo.trainer.service;

import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.train.DpoTrainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One policy's training state in this process: its adapter and optimizer, what its newest checkpoint covers, and
 * what was consumed since (buffered or trained, not yet durable).
 */
final class PolicyState {

    final String policy;
    final LoraAdapter adapter;
    final DpoTrainer trainer;
    /** The newest durable version (0: none yet, training starts from the base). */
    long version;
    long pairsTrained;
    Instant lastCheckpointAt;
    Instant newestFeedbackAt;
    /** Per topic-partition, the highest offset accounted for: by the checkpoint, or consumed since. */
    final Map<String, Long> coveredThrough;
    final Set<TopicPartition> partitions = new HashSet<>();
    /** Bounded insertion-ordered set of the newest pair ids seen, for dedupe across offsets. */
    private final LinkedHashSet<String> recentPairIds = new LinkedHashSet<>();
    private final int dedupeWindow;

    final List<BufferedPair> buffer = new ArrayList<>();
    final Map<String, OffsetRange> pendingOffsets = new LinkedHashMap<>();
    final List<String> pendingPairIds = new ArrayList<>();
    final List<String> pendingSkipped = new ArrayList<>();
    int stepsSinceCheckpoint;
    Map<String, Double> lastMetrics = Map.of();
    /** Over the KL budget with continue-on-breach off: consumes nothing more until restarted. */
    boolean halted;

    PolicyState(String policy, LoraAdapter adapter, DpoTrainer trainer, long version, long pairsTrained,
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

    boolean covers(TopicPartition tp, long offset) {
        Long through = coveredThrough.get(tp.toString());
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
    void consumed(TopicPartition tp, long offset) {
        partitions.add(tp);
        coveredThrough.merge(tp.toString(), offset, Math::max);
        pendingOffsets.merge(tp.toString(), new OffsetRange(offset, offset), (a, b) -> a.including(offset));
    }

    boolean dirty() {
        return stepsSinceCheckpoint > 0;
    }

    CheckpointCoverage pendingCoverage() {
        return new CheckpointCoverage(pendingOffsets, coveredThrough, pendingPairIds, pendingSkipped,
                newestFeedbackAt);
    }

    void checkpointed(long newVersion, Instant at) {
        version = newVersion;
        lastCheckpointAt = at;
        pendingOffsets.clear();
        pendingPairIds.clear();
        pendingSkipped.clear();
        stepsSinceCheckpoint = 0;
    }

    void close() {
        adapter.close();
    }
}
