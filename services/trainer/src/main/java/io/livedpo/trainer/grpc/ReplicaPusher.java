package io.livedpo.trainer.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.transfer.ArchiveFrames;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.ControlToken;
import io.livedpo.transfer.GrpcTls;
import io.livedpo.transfer.PushSender;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Streams a checkpoint archive to one replica's {@code ModelControl.PushCheckpoint} (header, then ≤ 1 MiB chunks),
 * retrying transport failures with exponential backoff. A replica that answers with a verdict (rejected: bad hash,
 * signature, canary...) is not retried: the same bytes would get the same verdict. Channels are plaintext, or mutual
 * TLS with the trainer's certificate ({@link GrpcTls}); a replica refusing the handshake is a transport failure.
 */
public final class ReplicaPusher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReplicaPusher.class);
    private static final Set<Status.Code> VERDICTS = Set.of(Status.Code.FAILED_PRECONDITION,
            Status.Code.INVALID_ARGUMENT, Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED,
            Status.Code.NOT_FOUND);

    private final Optional<String> token;
    /** One hold on the trainer's TLS material for every replica channel: renewed certificates reach new handshakes. */
    private final GrpcTls.Lease tls;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration timeout;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "livedpo-push-retries");
        t.setDaemon(true);
        return t;
    });

    public ReplicaPusher(Optional<String> token, GrpcTls tls, int maxAttempts, Duration initialBackoff,
                         Duration timeout) {
        this.token = token;
        this.tls = tls.lease();
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.timeout = timeout;
    }

    /** Completes with the replica's answer, or exceptionally once a verdict came or attempts ran out. */
    public CompletableFuture<PushCheckpointResponse> push(String target, ArchiveHeader header, byte[] archive) {
        CompletableFuture<PushCheckpointResponse> result = new CompletableFuture<>();
        attempt(target, header, archive, 1, result);
        return result;
    }

    private void attempt(String target, ArchiveHeader header, byte[] archive, int attempt,
                         CompletableFuture<PushCheckpointResponse> result) {
        once(target, header, archive).whenComplete((response, error) -> {
            if (error == null) {
                result.complete(response);
                return;
            }
            Status status = Status.fromThrowable(error);
            if (VERDICTS.contains(status.getCode()) || attempt >= maxAttempts) {
                result.completeExceptionally(error);
                return;
            }
            long backoff = initialBackoff.toMillis() << Math.min(attempt - 1, 10);
            LOG.infof("push of %s v%d to %s failed (%s), attempt %d of %d; retrying in %d ms", header.policy(),
                    header.version(), target, status, attempt, maxAttempts, backoff);
            retries.schedule(() -> attempt(target, header, archive, attempt + 1, result), backoff,
                    TimeUnit.MILLISECONDS);
        });
    }

    private CompletableFuture<PushCheckpointResponse> once(String target, ArchiveHeader header, byte[] archive) {
        ModelControlGrpc.ModelControlStub stub = ModelControlGrpc.newStub(channel(target))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .withInterceptors(ControlToken.attach(token));
        return PushSender.push(stub, ArchiveFrames.push(header, archive));
    }

    private ManagedChannel channel(String target) {
        return channels.computeIfAbsent(target, t -> tls.channel(t).build());
    }

    @Override
    public void close() {
        retries.shutdownNow();
        channels.values().forEach(ManagedChannel::shutdownNow);
        tls.close();
    }
}
