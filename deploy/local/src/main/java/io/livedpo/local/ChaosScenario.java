package io.livedpo.local;

import io.livedpo.events.CheckpointAnnouncement;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The fault scenario behind {@code livedpo chaos} and {@code ChaosIT}: the local stack with two serving replicas,
 * simulated users at a steady rate, a warm-up until the trainer has announced a version, the faults one after
 * another ({@link ChaosRunner}), then the load stops and the topics and checkpoints are reconciled against the
 * users' ledger ({@link Reconciliation}).
 *
 * @param settleDeadline how long the loop may take, once the load stops, to train every pair and bring every replica
 *                       to the newest version
 */
public record ChaosScenario(StackSettings stack, int users, double rate, double abShare, int maxTokens,
                            Duration warmup, ChaosRunner.Settings faults, Duration settleDeadline) {

    public static final String POLICY = "default";

    /**
     * The stack for a chaos run: two serving replicas (the second one's links with the trainer through partition
     * proxies), a trainer that checkpoints after every step (so a kill lands between a step and its commit more
     * often), keeps every checkpoint (the record the reconciliation reads) and publishes each one (no KL budget), and
     * feedback that sweeps its pairing state every second.
     */
    public static StackSettings stackSettings(Path home, Path dataDir, Path model, Ports ports) {
        return StackSettings.of(home, dataDir, model, ports).withServingReplicas(2).withPartitionableReplica()
                .withOverrides(Map.of(
                Service.TRAINER, Map.of(
                        "livedpo.trainer.batch.size", "4",
                        "livedpo.trainer.batch.max-wait", "1s",
                        "livedpo.trainer.checkpoint.every-steps", "1",
                        "livedpo.trainer.checkpoint.every", "5s",
                        "livedpo.trainer.checkpoint.keep", String.valueOf(Integer.MAX_VALUE),
                        "livedpo.trainer.dpo.warmup-steps", "0",
                        // Short KL probes: the estimate is not what this run checks, and it runs after every step.
                        "livedpo.trainer.kl.max-tokens", "4",
                        // No KL guard: a withheld version is KlGuard's tests' subject; here every checkpoint must be
                        // announced and served, or the reconciliation cannot tell a held-back version from a lost
                        // one (the fixture model drifts past the default 10 nats within minutes of this load).
                        "livedpo.trainer.kl.budget", "1e9"),
                // No per-user cap: it is the flood guard (EndToEndIT's adversarial run tests it), and at its default of
                // 100 pairs an hour it stops all training once 8 users have made 800 pairs, so `--rounds 3` found no
                // trainer step to kill in its second round.
                Service.FEEDBACK, Map.of("livedpo.feedback.pairing.punctuate-interval", "1s",
                        "livedpo.feedback.pairing.max-pairs-per-user", String.valueOf(Integer.MAX_VALUE))));
    }

    public UserTraffic.Settings traffic(StackSettings started) {
        return new UserTraffic.Settings(started.servingUrls(), started.feedbackUrl(), users, rate, abShare,
                maxTokens, Math.min(users, 8), 17L);
    }

    /** Runs the whole scenario; every process it started is stopped before it returns. */
    public ChaosReport run(Consumer<String> log) throws IOException, InterruptedException {
        VoteLedger ledger = new VoteLedger();
        UserTraffic.Settings trafficSettings = traffic(stack);
        log.accept("starting Kafka, 2 serving replicas, feedback and trainer (logs in "
                + stack.dataDir().resolve("logs") + ")");
        try (LocalStack running = LocalStack.start(stack)) {
            AtomicLong announced = new AtomicLong();
            List<FaultPhase> phases;
            Instant start;
            Instant end;
            try (CheckpointWatcher watcher = new CheckpointWatcher(running.bootstrapServers(),
                    a -> announced.accumulateAndGet(version(a), Math::max));
                 UserTraffic users = new UserTraffic(trafficSettings, ledger)) {
                start = Instant.now();
                users.start();
                log.accept("load: " + this.users + " users, " + rate + " interactions/s; warming up until the "
                        + "trainer announces a version");
                Poll.until("the trainer announces its first version", warmup, () -> announced.get() >= 1,
                        () -> null);
                phases = new ChaosRunner(running, faults, log).run();
                log.accept("faults done; stopping the load");
                users.close();
                end = Instant.now();
            }
            log.accept("reconciling the topics and checkpoints against " + ledger.acceptedVotes().size()
                    + " accepted votes");
            return new Reconciliation(stack, running.bootstrapServers(), POLICY, trafficSettings)
                    .settleAndReconcile(ledger, phases, start, end, settleDeadline);
        }
    }

    private static long version(CheckpointAnnouncement a) {
        return a.policy().equals(POLICY) ? a.version() : 0;
    }
}
