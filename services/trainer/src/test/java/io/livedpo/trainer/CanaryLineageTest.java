package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.CanaryDecision;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.trainer.service.CanaryLedger;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.KlGuard;
import io.livedpo.trainer.service.KlSettings;
import io.livedpo.trainer.service.Partition;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.trainer.service.TrainingSession;
import io.livedpo.trainer.service.TrainingSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolled-back version is never the parent of the next, in a running session and after a restart, with real DPO
 * steps on the tiny fixture and a real checkpoint store.
 */
class CanaryLineageTest {

    private static final String POLICY = "lineage";
    private static final Partition PARTITION = new Partition("livedpo.pairs.v1", 0);
    private static PolicyModel base;

    @TempDir
    Path storeDir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private long offset;

    @BeforeAll
    static void open() throws IOException {
        base = PolicyModel.open(Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2"));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    private TrainingSession session(CanaryLedger ledger) {
        TrainingSettings settings = new TrainingSettings(2, Duration.ofMillis(200), 1, Duration.ofMinutes(10), 10,
                1000, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS),
                new TrainConfig(DpoConfig.defaults(), 1e-2f, 0, 1f, AdamWConfig.defaults()));
        return new TrainingSession(base, new CheckpointStore(storeDir), settings,
                new KlGuard(base, new KlSettings(1e9, List.of("Hello!"), 4, true)), (c, kl) -> { },
                new TrainerMetrics(meters), ledger);
    }

    /** Two pairs trained and checkpointed: the new version's metadata. */
    private CheckpointMetadata trainOneVersion(TrainingSession session) throws IOException {
        for (int i = 0; i < 2; i++) {
            session.offer(Pairs.pair(POLICY, (int) offset, Instant.now()), PARTITION, offset++);
        }
        session.trainDue();
        List<CheckpointMetadata> written = session.checkpoint();
        assertEquals(1, written.size());
        return written.get(0);
    }

    private static CanaryDecision rollback(long candidate, long parent) {
        return new CanaryDecision(CanaryDecision.SCHEMA, POLICY, candidate, parent, CanaryDecision.Action.ROLLBACK,
                "sprt", 40, 4, 360, 180, 0, 0, -3.0, Math.log(0.1 / 0.95), Math.log(0.9 / 0.05), 0.05, 0.1, 0.1,
                Instant.now());
    }

    @Test
    void trainingLeavesARolledBackLineAndARestartNeverResumesOnIt() throws IOException {
        CanaryLedger ledger = new CanaryLedger();
        CheckpointStore store = new CheckpointStore(storeDir);
        try (TrainingSession session = session(ledger)) {
            assertEquals(0, trainOneVersion(session).parentVersion());
            assertEquals(1, trainOneVersion(session).parentVersion());
            // v2 is the canary; training went on past it before the verdict: v3 descends from it.
            assertEquals(2, trainOneVersion(session).parentVersion());

            ledger.record(rollback(2, 1));
            session.leaveRolledBackLines();
            CheckpointMetadata next = trainOneVersion(session);
            assertEquals(4, next.version(), "versions stay unique: numbering goes on past the dropped line");
            assertEquals(1, next.parentVersion(), "continued from the rolled-back version's parent");
            assertEquals(Set.of(4L, 1L), store.lineage(POLICY, 4));
            assertEquals(1, meters.get("livedpo.trainer.canary.resets").counter().count());
            // Nothing more to leave: a second call with no new rollback changes nothing.
            session.leaveRolledBackLines();
            assertEquals(4, trainOneVersion(session).parentVersion());
        }

        // A restart that knows v5 was rolled back too resumes from v4, the newest clean version, not v5 or v3.
        ledger.record(rollback(5, 4));
        try (TrainingSession restarted = session(ledger)) {
            CheckpointMetadata first = trainOneVersion(restarted);
            assertEquals(6, first.version());
            assertEquals(4, first.parentVersion());
            assertTrue(ledger.tainted(POLICY, store.lineage(POLICY, 3)));
            assertTrue(!ledger.tainted(POLICY, store.lineage(POLICY, 6)));
        }
    }
}
