package io.livedpo.trainer.messaging;

import io.grpc.Status;
import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.trainer.grpc.PushTargets;
import io.livedpo.trainer.grpc.ReplicaPusher;
import io.livedpo.trainer.service.CanaryLedger;
import io.livedpo.trainer.service.CheckpointCoverage;
import io.livedpo.trainer.service.CheckpointSink;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.PackedCheckpoint;
import io.livedpo.trainer.service.TrainerMetrics;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.ArchiveSignature;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Publishes a checkpoint that passed the guard rail, off the training thread: announce it on the compacted topic
 * (replicas that miss the push catch up from there and the store), then push it to every replica at once, each in
 * its own {@link PushLanes lane} so an unreachable replica holds up no other.
 */
public final class CheckpointPublisher implements CheckpointSink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CheckpointPublisher.class);

    private final CheckpointStore store;
    private final ArchiveSignature signer;
    private final Announcer announcer;
    private final ReplicaPusher pusher;
    private final PushTargets targets;
    private final TrainerMetrics metrics;
    private final PushLanes lanes = new PushLanes();
    private final String locationPrefix;
    private final boolean liveCanary;
    private final CanaryLedger canary;
    /** Per policy, the newest checkpoint held back while its live canary is undecided. */
    private final java.util.Map<String, HeldCheckpoint> held = new java.util.concurrent.ConcurrentHashMap<>();

    private record HeldCheckpoint(CheckpointMetadata meta, double kl) {
    }
    /** One checkpoint at a time, in version order, so a replica never gets v2 after v3 from us. */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "livedpo-publisher");
        t.setDaemon(true);
        return t;
    });

    public CheckpointPublisher(CheckpointStore store, ArchiveSignature signer, Announcer announcer, ReplicaPusher pusher,
                               PushTargets targets, TrainerMetrics metrics, String locationPrefix) {
        this(store, signer, announcer, pusher, targets, metrics, locationPrefix, false, new CanaryLedger());
    }

    /**
     * {@code liveCanary}: publish each version as a live canary, one at a time per policy: while one is undecided the
     * newest later checkpoint is held, published once the canary is promoted, dropped if it is rolled back (it
     * descends from the rolled-back version). Nothing that descends from a rolled-back version is ever published.
     */
    public CheckpointPublisher(CheckpointStore store, ArchiveSignature signer, Announcer announcer, ReplicaPusher pusher,
                               PushTargets targets, TrainerMetrics metrics, String locationPrefix, boolean liveCanary,
                               CanaryLedger canary) {
        this.liveCanary = liveCanary;
        this.canary = canary;
        canary.onDecision(this::decided);
        this.store = store;
        this.signer = signer;
        this.announcer = announcer;
        this.pusher = pusher;
        this.targets = targets;
        this.metrics = metrics;
        this.locationPrefix = locationPrefix;
    }

    @Override
    public void publish(CheckpointMetadata checkpoint, double kl) {
        worker.execute(() -> publishOrHold(checkpoint, kl));
    }

    /** A live canary was decided: release the checkpoint held behind it, if it may still be published. */
    private void decided(io.livedpo.events.CanaryDecision decision) {
        worker.execute(() -> {
            HeldCheckpoint h = held.remove(decision.policy());
            if (h != null) {
                publishOrHold(h.meta(), h.kl());
            }
        });
    }

    /** On the worker thread. */
    private void publishOrHold(CheckpointMetadata checkpoint, double kl) {
        try {
            if (canary.tainted(checkpoint.policy(), store.lineage(checkpoint.policy(), checkpoint.version()))) {
                LOG.infof("%s v%d descends from a rolled-back version: not published", checkpoint.policy(),
                        checkpoint.version());
                return;
            }
            if (liveCanary && canary.awaiting(checkpoint.policy()).isPresent()) {
                held.put(checkpoint.policy(), new HeldCheckpoint(checkpoint, kl));
                metrics.held(checkpoint.policy());
                LOG.infof("%s v%d held until the live canary of v%d is decided", checkpoint.policy(),
                        checkpoint.version(), canary.awaiting(checkpoint.policy()).getAsLong());
                return;
            }
            if (liveCanary) {
                canary.awaiting(checkpoint.policy(), checkpoint.version());
            }
            publishNow(checkpoint, kl);
        } catch (IOException | RuntimeException e) {
            LOG.errorf(e, "cannot publish %s v%d", checkpoint.policy(), checkpoint.version());
        }
    }

    private static java.util.Map<String, Double> withKl(CheckpointMetadata meta, double kl) {
        java.util.Map<String, Double> metrics = new java.util.LinkedHashMap<>(meta.metrics());
        metrics.put("kl", kl);
        return metrics;
    }

    private void publishNow(CheckpointMetadata meta, double kl) throws IOException {
        PackedCheckpoint packed = store.pack(meta.policy(), meta.version());
        ArchiveHeader header = packed.header(signer).asCanary(liveCanary);
        Instant feedback = CheckpointCoverage.fromAttributes(meta.attributes()).newestFeedbackAt();
        announcer.announce(new CheckpointAnnouncement(CheckpointAnnouncement.SCHEMA, meta.policy(), meta.version(),
                meta.parentVersion(), meta.baseModel(), header.sha256(), header.sizeBytes(),
                locationPrefix + "/" + meta.policy() + "/" + meta.version(), meta.pairsTrained(), withKl(meta, kl),
                meta.createdAt(), feedback, liveCanary));
        // Each replica has its own lane: one cut off by a partition delays only itself, not the next version's
        // announcement nor the other replicas' pushes (this thread used to wait for every push).
        List<CompletableFuture<?>> pushes = targets.resolve().stream()
                .<CompletableFuture<?>>map(target -> lanes.submit(target, meta.policy(), meta.version(),
                                () -> pusher.push(target, header, packed.bytes()))
                        .whenComplete((response, error) -> outcome(target, meta, feedback, response, error)))
                .toList();
        if (liveCanary && !pushes.isEmpty()) {
            CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).whenComplete((ok, failed) -> {
                if (pushes.stream().allMatch(CompletableFuture::isCompletedExceptionally)) {
                    try {
                        worker.execute(() -> abandon(meta));
                    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                        // closing: nothing is published any more, so nothing waits for this canary
                    }
                }
            });
        }
    }

    /** On the worker thread: a canary no replica runs gets no votes, so nothing may wait for its decision. */
    private void abandon(CheckpointMetadata meta) {
        canary.abandon(meta.policy(), meta.version());
        LOG.warnf("%s v%d reached no replica; the next version will not wait for its canary", meta.policy(),
                meta.version());
        HeldCheckpoint h = held.remove(meta.policy());
        if (h != null) {
            publishOrHold(h.meta(), h.kl());
        }
    }

    private void outcome(String target, CheckpointMetadata meta, Instant feedback, PushCheckpointResponse response,
                         Throwable error) {
        if (error instanceof PushLanes.Superseded) {
            metrics.push(target, "superseded");
            LOG.infof("push of %s v%d to %s skipped: a newer version is next in its lane", meta.policy(),
                    meta.version(), target);
            return;
        }
        if (error != null) {
            String outcome = Status.fromThrowable(error).getCode() == Status.Code.FAILED_PRECONDITION
                    ? "rejected" : "failed";
            metrics.push(target, outcome);
            LOG.warnf("push of %s v%d to %s %s: %s", meta.policy(), meta.version(), target, outcome,
                    error.getMessage());
            return;
        }
        Outcome outcome = response.getOutcome();
        boolean active = outcome == Outcome.ACTIVATED && response.getActiveVersion() == meta.version();
        metrics.push(target, active ? "activated" : outcome == Outcome.CANARY ? "canary" : "staged");
        if (active && feedback != null) {
            metrics.feedbackToServing(Duration.between(feedback, Instant.now()));
        }
        LOG.infof("%s v%d pushed to %s: %s", meta.policy(), meta.version(), target, outcome);
    }

    /** Lets queued publications finish (bounded), then stops. */
    @Override
    public void close() throws InterruptedException {
        worker.shutdown();
        if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
            worker.shutdownNow();
        }
        lanes.awaitIdle(Duration.ofSeconds(30));
    }
}
