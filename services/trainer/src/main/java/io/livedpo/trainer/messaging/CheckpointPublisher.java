package io.livedpo.trainer.messaging;

import io.grpc.Status;
import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.trainer.grpc.PushTargets;
import io.livedpo.trainer.grpc.ReplicaPusher;
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
 * (replicas that miss the push catch up from there and the store), then push it to every replica at once.
 */
public final class CheckpointPublisher implements CheckpointSink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CheckpointPublisher.class);

    private final CheckpointStore store;
    private final ArchiveSignature signer;
    private final Announcer announcer;
    private final ReplicaPusher pusher;
    private final PushTargets targets;
    private final TrainerMetrics metrics;
    private final String locationPrefix;
    /** One checkpoint at a time, in version order, so a replica never gets v2 after v3 from us. */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "livedpo-publisher");
        t.setDaemon(true);
        return t;
    });

    public CheckpointPublisher(CheckpointStore store, ArchiveSignature signer, Announcer announcer, ReplicaPusher pusher,
                               PushTargets targets, TrainerMetrics metrics, String locationPrefix) {
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
        worker.execute(() -> {
            try {
                publishNow(checkpoint, kl);
            } catch (IOException | RuntimeException e) {
                LOG.errorf(e, "cannot publish %s v%d", checkpoint.policy(), checkpoint.version());
            }
        });
    }

    private static java.util.Map<String, Double> withKl(CheckpointMetadata meta, double kl) {
        java.util.Map<String, Double> metrics = new java.util.LinkedHashMap<>(meta.metrics());
        metrics.put("kl", kl);
        return metrics;
    }

    private void publishNow(CheckpointMetadata meta, double kl) throws IOException {
        PackedCheckpoint packed = store.pack(meta.policy(), meta.version());
        ArchiveHeader header = packed.header(signer);
        Instant feedback = CheckpointCoverage.fromAttributes(meta.attributes()).newestFeedbackAt();
        announcer.announce(new CheckpointAnnouncement(CheckpointAnnouncement.SCHEMA, meta.policy(), meta.version(),
                meta.parentVersion(), meta.baseModel(), header.sha256(), header.sizeBytes(),
                locationPrefix + "/" + meta.policy() + "/" + meta.version(), meta.pairsTrained(), withKl(meta, kl),
                meta.createdAt(), feedback));
        List<CompletableFuture<?>> pushes = targets.resolve().stream()
                .<CompletableFuture<?>>map(target -> pusher.push(target, header, packed.bytes())
                        .whenComplete((response, error) -> outcome(target, meta, feedback, response, error)))
                .toList();
        // Waiting keeps versions in order per replica; each push has its own deadline and retry budget.
        CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    }

    private void outcome(String target, CheckpointMetadata meta, Instant feedback, PushCheckpointResponse response,
                         Throwable error) {
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
        metrics.push(target, active ? "activated" : "staged");
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
    }
}
