package io.livedpo.trainer.service;

import ai.djl.ndarray.NDManager;
import io.livedpo.events.PreferencePair;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.optim.AdamWState;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.OnlineDpo;
import io.livedpo.policy.train.PreferenceEncoder;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.StepResult;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/**
 * Incremental DPO for every policy this trainer owns: consumed pairs are buffered per policy, trained in mini-batches,
 * and checkpointed together so that one offset commit afterwards is safe for every partition. Not thread-safe: the
 * consumer thread is its only caller, which also keeps all DJL work on one thread.
 */
public final class TrainingSession implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrainingSession.class);

    /** What became of an offered pair. */
    public enum Offer { ACCEPTED, DUPLICATE, TOO_LONG, HALTED, STALE }

    /**
     * DJL's PyTorch gradient collector is process-wide ("already collecting" otherwise): sessions sharing a JVM (tests,
     * or several consumers in one process) take turns per step.
     */
    private static final Object GRADIENTS = new Object();

    private final PolicyModel base;
    private final CheckpointStore store;
    private final TrainingSettings settings;
    private final KlGuard guard;
    private final CheckpointSink sink;
    private final TrainerMetrics metrics;
    private final PreferenceEncoder encoder;
    private final Map<String, PolicyState> states = new HashMap<>();
    private final CanaryLedger canary;
    private long rollbacksSeen;

    public TrainingSession(PolicyModel base, CheckpointStore store, TrainingSettings settings, KlGuard guard,
                           CheckpointSink sink, TrainerMetrics metrics) {
        this(base, store, settings, guard, sink, metrics, new CanaryLedger());
    }

    /** {@code canary}: the live canary's verdicts; a rolled-back version is never continued from. */
    public TrainingSession(PolicyModel base, CheckpointStore store, TrainingSettings settings, KlGuard guard,
                           CheckpointSink sink, TrainerMetrics metrics, CanaryLedger canary) {
        // A target that matches nothing fails here, at start-up, not at the first pair of a new policy.
        LoraAdapter.requireTargets(base.model(), settings.lora());
        this.canary = canary;
        this.base = base;
        this.store = store;
        this.settings = settings;
        this.guard = guard;
        this.sink = sink;
        this.metrics = metrics;
        this.encoder = new PreferenceEncoder(base.tokenizer(), base.model().config().bosTokenId(),
                base.model().config().eosTokenId());
    }

    /**
     * Takes a consumed pair. A pair the policy's checkpoints already cover (by offset, then by pair id) is a
     * duplicate and never trained again; a pair longer than the model's context cannot be trained at all.
     */
    public Offer offer(PreferencePair pair, Partition partition, long offset) throws IOException {
        PolicyState state = state(pair.policy());
        if (state.halted()) {
            return Offer.HALTED;
        }
        if (state.covers(partition, offset) || state.seen(pair.pairId())) {
            state.consumed(partition, offset);
            metrics.pairs(pair.policy(), "duplicate", 1);
            return Offer.DUPLICATE;
        }
        if (!settings.online().fresh(Math.min(pair.chosenModelVersion(), pair.rejectedModelVersion()),
                state.version())) {
            // Off-policy beyond the recipe's limit: accounted for (its offset is covered), never trained.
            state.consumed(partition, offset);
            state.remember(pair.pairId());
            metrics.pairs(pair.policy(), "stale", 1);
            return Offer.STALE;
        }
        List<ChatMessage> prompt = pair.prompt().stream().map(m -> new ChatMessage(m.role(), m.content())).toList();
        PreferenceExample example = encoder.encode(pair.pairId(), base.tokenizer().chat(), prompt, pair.chosen(),
                pair.rejected());
        int context = base.model().config().contextLength();
        if (example.promptIds().length + Math.max(example.chosenIds().length, example.rejectedIds().length)
                > context) {
            return Offer.TOO_LONG;
        }
        state.consumed(partition, offset);
        state.remember(pair.pairId());
        state.buffer(new BufferedPair(example, pair.newestFeedbackAt(), System.nanoTime()));
        return Offer.ACCEPTED;
    }

    /**
     * Continues every policy whose adapter descends from a rolled-back version from its newest checkpoint that does
     * not (the rolled-back version's parent, the promoted line): steps trained on the rejected line since are
     * dropped, and the next checkpoint names that parent. Cheap when no rollback arrived since the last call.
     */
    public void leaveRolledBackLines() throws IOException {
        long rollbacks = canary.rollbacks();
        if (rollbacks == rollbacksSeen) {
            return;
        }
        rollbacksSeen = rollbacks;
        for (Map.Entry<String, PolicyState> e : states.entrySet()) {
            PolicyState state = e.getValue();
            if (state.version() == 0 || !canary.tainted(state.policy(), store.lineage(state.policy(), state.version()))) {
                continue;
            }
            OptionalLong clean = newestClean(state.policy());
            LoraAdapter adapter = clean.isPresent() ? base.loadAdapter(store.dir(state.policy(), clean.getAsLong()))
                    : LoraAdapter.create(base.model(), settings.lora(), state.policy().hashCode(), base.manager());
            long pairs = clean.isPresent() ? store.metadata(state.policy(), clean.getAsLong()).pairsTrained() : 0;
            PolicyState next = state.rebase(adapter, online(adapter, state.policy()),
                    clean.orElse(0), pairs);
            state.close();
            e.setValue(next);
            metrics.canaryReset(state.policy());
            LOG.warnf("%s: v%d descends from a rolled-back version; training continues from v%d", state.policy(),
                    state.version(), clean.orElse(0));
        }
    }

    /** The recipe's trainer for an adapter; the replay draw is seeded by the policy, as the adapter's init is. */
    private OnlineDpo online(LoraAdapter adapter, String policy) {
        return new OnlineDpo(new DpoTrainer(base.model(), adapter, settings.train()), settings.online(),
                policy.hashCode());
    }

    /** The newest stored version whose line holds no rolled-back version. */
    private OptionalLong newestClean(String policy) throws IOException {
        List<Long> versions = store.versions(policy);
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (!canary.tainted(policy, store.lineage(policy, versions.get(i)))) {
                return OptionalLong.of(versions.get(i));
            }
        }
        return OptionalLong.empty();
    }

    /** Runs the steps that are due: every full batch, and a partial one whose first pair waited W. */
    public void trainDue() {
        for (PolicyState state : states.values()) {
            while (state.buffered() >= settings.batchSize()) {
                step(state, settings.batchSize());
            }
            if (state.oldestWaited(settings.batchWait())) {
                step(state, state.buffered());
            }
        }
    }

    /** True when some policy made K steps, or trained since a checkpoint older than T. */
    public boolean checkpointDue(Instant now) {
        return states.values().stream().anyMatch(s -> s.checkpointDue(settings.checkpointEverySteps(),
                settings.checkpointEvery(), now));
    }

    /**
     * Trains whatever is buffered, then writes a checkpoint of every policy that trained since its last one. When this
     * returns, every pair consumed so far is in a durable checkpoint (or was skipped, or is a duplicate): committing
     * the consumer's positions is safe. Returns the new checkpoints, for {@link #review}.
     */
    public List<CheckpointMetadata> checkpoint() throws IOException {
        for (PolicyState state : states.values()) {
            while (state.buffered() > 0) {
                step(state, Math.min(settings.batchSize(), state.buffered()));
            }
        }
        List<CheckpointMetadata> written = new ArrayList<>();
        for (PolicyState state : states.values()) {
            if (state.dirty()) {
                written.add(write(state));
            }
        }
        return written;
    }

    /**
     * The guard rail, after the offsets are committed: each new checkpoint's KL estimate must be within budget to be
     * published. Over budget, it stays in the store unpublished; training goes on, or the policy halts.
     */
    public void review(List<CheckpointMetadata> checkpoints) {
        for (CheckpointMetadata meta : checkpoints) {
            PolicyState state = states.get(meta.policy());
            double kl = guard.estimate(state.adapter());
            boolean within = guard.withinBudget(kl);
            metrics.kl(meta.policy(), kl, !within);
            if (within) {
                sink.publish(meta, kl);
            } else {
                LOG.warnf("%s v%d: KL estimate %.4f is over budget; not published%s", meta.policy(), meta.version(),
                        kl, guard.continueOnBreach() ? "" : "; training of the policy halts");
                // Halting is per process: a new owner after a rebalance, or a restart, trains the policy again.
                if (!guard.continueOnBreach()) {
                    state.halt();
                }
            }
        }
    }

    /** Forgets the policies seen on these partitions (after {@link #checkpoint} and a commit): another owner has them. */
    public void release(Collection<Partition> partitions) {
        states.values().removeIf(s -> {
            boolean moved = s.consumedFromAny(partitions);
            if (moved) {
                s.close();
            }
            return moved;
        });
    }

    /** The newest durable version of a policy this session trains (0: none yet). */
    public long version(String policy) {
        PolicyState s = states.get(policy);
        return s == null ? 0 : s.version();
    }

    @Override
    public void close() {
        states.values().forEach(PolicyState::close);
        states.clear();
    }

    private void step(PolicyState state, int n) {
        List<BufferedPair> batch = state.takeBatch(n);
        long start = System.nanoTime();
        StepResult result;
        synchronized (GRADIENTS) {
            result = state.step(batch);
        }
        metrics.step(state.policy(), result, System.nanoTime() - start);
        if (result.applied()) {
            metrics.pairs(state.policy(), "trained", n);
        } else {
            metrics.pairs(state.policy(), "skipped", n);
            LOG.warnf("%s: skipped a batch (%s), never applied; pairs %s", state.policy(), result.skipReason(),
                    result.pairIds());
        }
    }

    private CheckpointMetadata write(PolicyState state) throws IOException {
        Instant now = Instant.now();
        // Versions come from the store, not memory: a previous owner of the policy may have written newer ones.
        long version = Math.max(state.version(), store.newest(state.policy()).orElse(0)) + 1;
        CheckpointMetadata written = store.write(state.adapter(), state.optimizerState(), state.draft(version, base.fingerprint(), now));
        state.checkpointed(version, now);
        store.prune(state.policy(), settings.keep());
        metrics.checkpointed(state.policy(), now);
        LOG.infof("%s v%d written: %d pairs in total, loss %s", state.policy(), version, state.pairsTrained(),
                state.lastMetrics().get("loss"));
        return written;
    }

    /** The policy's state, loaded from its newest checkpoint when this process has none. */
    private PolicyState state(String policy) throws IOException {
        PolicyState existing = states.get(policy);
        if (existing != null) {
            return existing;
        }
        PolicyState loaded = load(policy);
        states.put(policy, loaded);
        return loaded;
    }

    private PolicyState load(String policy) throws IOException {
        OptionalLong newest = newestClean(policy);
        if (newest.isEmpty()) {
            LoraAdapter fresh = LoraAdapter.create(base.model(), settings.lora(), policy.hashCode(), base.manager());
            return new PolicyState(policy, fresh, online(fresh, policy), 0, 0,
                    Instant.now(), CheckpointCoverage.none(),
                    settings.dedupeWindow());
        }
        CheckpointMetadata meta = store.metadata(policy, newest.getAsLong());
        LoraAdapter adapter = base.loadAdapter(store.dir(policy, meta.version()));
        OnlineDpo trainer = online(adapter, policy);
        resumeOptimizer(policy, meta.version(), trainer.trainer());
        PolicyState state = new PolicyState(policy, adapter, trainer,
                meta.version(), meta.pairsTrained(), meta.createdAt(),
                CheckpointCoverage.fromAttributes(meta.attributes()), settings.dedupeWindow());
        for (long v : store.versions(policy)) {
            CheckpointCoverage.fromAttributes(store.metadata(policy, v).attributes()).pairIds()
                    .forEach(state::remember);
        }
        LOG.infof("%s resumes from v%d (%d pairs trained, optimizer at step %d)", policy, meta.version(),
                meta.pairsTrained(), trainer.trainer().steps());
        return state;
    }

    /**
     * Continues AdamW (moments, step, warm-up position) from the state saved with the version, so a restart does not
     * change training. A version without one, or whose state fails its checks, resumes with a fresh optimizer: the
     * weights are verified already, and refusing to train the policy at all would be worse than a new warm-up.
     */
    private void resumeOptimizer(String policy, long version, DpoTrainer trainer) {
        try (NDManager staging = base.manager().newSubManager()) {
            Optional<AdamWState> saved = store.optimizer(policy, version, staging);
            if (saved.isPresent()) {
                trainer.restoreOptimizer(saved.get());
            } else {
                LOG.warnf("%s v%d has no optimizer state; AdamW and its warm-up restart from zero", policy, version);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("%s v%d: optimizer state not usable (%s); AdamW and its warm-up restart from zero", policy,
                    version, e.getMessage());
        }
    }
}
