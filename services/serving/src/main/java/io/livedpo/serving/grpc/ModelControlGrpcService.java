package io.livedpo.serving.grpc;

import io.livedpo.serving.support.Daemons;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.ActivateRequest;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.ModelStatus;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.proto.RollbackRequest;
import io.livedpo.proto.StatusRequest;
import io.livedpo.proto.StatusResponse;
import io.livedpo.serving.metrics.ModelVersionMetrics;
import io.livedpo.serving.service.CheckpointInstaller;
import io.livedpo.serving.service.CheckpointRejectedException;
import io.livedpo.serving.service.IncomingCheckpoint;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.serving.service.PolicyVersion;
import io.livedpo.serving.service.UnknownPolicyException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Blocking;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The control plane, called by the trainer: receive a checkpoint (header, then ≤ 1 MiB chunks), verify and canary it,
 * swap it in; activate a loaded version, roll back, report status.
 */
@GrpcService
@RegisterInterceptor(ControlTokenInterceptor.class)
public class ModelControlGrpcService extends ModelControlGrpc.ModelControlImplBase {

    private static final Logger LOG = Logger.getLogger(ModelControlGrpcService.class);
    private static final int MAX_CHUNK = 1 << 20;

    /** Verification, loading and the canary take seconds: never on a gRPC event loop. */
    private static final ExecutorService INSTALLS =
            Executors.newSingleThreadExecutor(Daemons.named("livedpo-checkpoint-install"));

    private final CheckpointInstaller installer;
    private final PolicyRegistry registry;
    private final ModelVersionMetrics metrics;

    public ModelControlGrpcService(CheckpointInstaller installer, PolicyRegistry registry,
                                   ModelVersionMetrics metrics) {
        this.installer = installer;
        this.registry = registry;
        this.metrics = metrics;
    }

    @Override
    public StreamObserver<PushCheckpointRequest> pushCheckpoint(StreamObserver<PushCheckpointResponse> response) {
        return new StreamObserver<>() {
            private IncomingCheckpoint header;
            private Path file;
            private OutputStream out;
            private long received;
            private boolean failed;

            @Override
            public void onNext(PushCheckpointRequest request) {
                if (failed) {
                    return;
                }
                try {
                    if (request.hasHeader()) {
                        start(request.getHeader());
                    } else if (header == null) {
                        fail(Status.INVALID_ARGUMENT.withDescription("the first message must be the header"));
                    } else if (request.getChunk().size() > MAX_CHUNK) {
                        fail(Status.INVALID_ARGUMENT.withDescription("chunks must be at most 1 MiB"));
                    } else {
                        received += request.getChunk().size();
                        if (received > installer.maxArchiveBytes() || received > header.sizeBytes()) {
                            fail(Status.INVALID_ARGUMENT.withDescription("more bytes than announced ("
                                    + header.sizeBytes() + ") or allowed (" + installer.maxArchiveBytes() + ")"));
                            return;
                        }
                        request.getChunk().writeTo(out);
                    }
                } catch (IOException e) {
                    fail(Status.INTERNAL.withDescription("cannot store the checkpoint: " + e.getMessage()));
                }
            }

            private void start(CheckpointHeader h) throws IOException {
                if (header != null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("only one header per push"));
                    return;
                }
                header = new IncomingCheckpoint(h.getPolicy(), h.getVersion(), h.getParentVersion(),
                        h.getBaseModel(), h.getSha256(), h.getSizeBytes(), h.getSignature().toByteArray(),
                        h.getActivate());
                file = Files.createTempFile("livedpo-push-", ".tar");
                out = Files.newOutputStream(file);
            }

            @Override
            public void onError(Throwable t) {
                // The sender went away mid-stream (a truncated push): nothing was installed.
                LOG.warnf("checkpoint push aborted by the sender: %s", t.getMessage());
                cleanup();
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                if (header == null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("no header received"));
                    return;
                }
                INSTALLS.execute(() -> {
                    try {
                        out.close();
                        PolicyVersion active = installer.install(header, file);
                        response.onNext(PushCheckpointResponse.newBuilder().setPolicy(header.policy())
                                .setVersion(header.version()).setActiveVersion(active.version())
                                .setPreviousVersion(registry.previous(header.policy()).map(PolicyVersion::version)
                                        .orElse(-1L))
                                .setOutcome(header.activate() ? "activated" : "loaded").build());
                        response.onCompleted();
                    } catch (CheckpointRejectedException e) {
                        response.onError(Status.FAILED_PRECONDITION
                                .withDescription(e.outcome() + ": " + e.getMessage()).asRuntimeException());
                    } catch (IOException | RuntimeException e) {
                        LOG.error("checkpoint install failed", e);
                        response.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage()))
                                .asRuntimeException());
                    } finally {
                        cleanup();
                    }
                });
            }

            private void fail(Status status) {
                failed = true;
                cleanup();
                response.onError(status.asRuntimeException());
            }

            private void cleanup() {
                try {
                    if (out != null) {
                        out.close();
                    }
                    if (file != null) {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    LOG.debugf("cannot remove %s: %s", file, e.getMessage());
                }
            }
        };
    }

    @Override
    @Blocking
    public void activate(ActivateRequest request, StreamObserver<ModelStatus> response) {
        answer(response, request.getPolicy(), () -> {
            if (!registry.hasStandby(request.getPolicy(), request.getVersion())) {
                throw Status.FAILED_PRECONDITION.withDescription("version " + request.getVersion()
                        + " is not loaded; push it first").asRuntimeException();
            }
            installer.activate(request.getPolicy(), request.getVersion());
            return "activated";
        });
    }

    @Override
    @Blocking
    public void rollback(RollbackRequest request, StreamObserver<ModelStatus> response) {
        answer(response, request.getPolicy(), () -> {
            if (registry.previous(request.getPolicy()).isEmpty()) {
                throw Status.FAILED_PRECONDITION.withDescription("no previous version to roll back to")
                        .asRuntimeException();
            }
            PolicyVersion now = registry.rollback(request.getPolicy());
            metrics.rolledBack(request.getPolicy());
            LOG.warnf("rolled back to %s: %s", now.label(), request.getReason());
            return "rolled_back";
        });
    }

    @Override
    @Blocking
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        StatusResponse.Builder out = StatusResponse.newBuilder();
        for (String policy : registry.policies()) {
            if (request.getPolicy().isEmpty() || request.getPolicy().equals(policy)) {
                out.addPolicies(status(policy, "ok"));
            }
        }
        response.onNext(out.build());
        response.onCompleted();
    }

    private interface Action {
        String run();
    }

    private void answer(StreamObserver<ModelStatus> response, String policy, Action action) {
        try {
            String outcome = action.run();
            response.onNext(status(policy, outcome));
            response.onCompleted();
        } catch (UnknownPolicyException e) {
            response.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
        } catch (io.grpc.StatusRuntimeException e) {
            response.onError(e);
        }
    }

    private ModelStatus status(String policy, String outcome) {
        return ModelStatus.newBuilder().setPolicy(policy).setActiveVersion(registry.active(policy).version())
                .setPreviousVersion(registry.previous(policy).map(PolicyVersion::version).orElse(-1L))
                .setOutcome(outcome).setBaseModel(registry.base().fingerprint()).build();
    }
}
