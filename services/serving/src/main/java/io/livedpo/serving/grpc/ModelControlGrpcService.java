package io.livedpo.serving.grpc;

import io.livedpo.serving.support.Daemons;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.ActivateRequest;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.ModelStatus;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.proto.RollbackRequest;
import io.livedpo.proto.StatusRequest;
import io.livedpo.proto.StatusResponse;
import io.livedpo.proto.Outcome;
import io.livedpo.serving.engine.PolicyVersion;
import io.livedpo.serving.metrics.ModelVersionMetrics;
import io.livedpo.serving.service.CheckpointInstaller;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.serving.service.UnknownPolicyException;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.PushReceiver;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The control plane, called by the trainer: receive a checkpoint (header, then ≤ 1 MiB chunks), verify and canary it,
 * swap it in; activate a loaded version, roll back, report status. Built and served on its own port by
 * {@link ControlServer} (not a bean: Quarkus would serve every gRPC service bean on its own server), on grpc-java's
 * executor, so the blocking calls below never hold an event loop.
 */
public class ModelControlGrpcService extends ModelControlGrpc.ModelControlImplBase {

    private static final Logger LOG = Logger.getLogger(ModelControlGrpcService.class);

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
        return new PushReceiver(installer.assembly(), INSTALLS, archive -> {
            PolicyVersion active = installer.install(archive);
            ArchiveHeader header = archive.header();
            return PushCheckpointResponse.newBuilder().setPolicy(header.policy()).setVersion(header.version())
                    .setActiveVersion(active.version())
                    .setPreviousVersion(registry.previous(header.policy()).map(PolicyVersion::version).orElse(-1L))
                    .setOutcome(!header.activate() ? Outcome.STAGED
                            : registry.candidate(header.policy()).map(v -> v.version() == header.version())
                            .orElse(false) ? Outcome.CANARY : Outcome.ACTIVATED).build();
        }, response);
    }

    @Override
    public void activate(ActivateRequest request, StreamObserver<ModelStatus> response) {
        answer(response, request.getPolicy(), () -> {
            if (!registry.hasStandby(request.getPolicy(), request.getVersion())) {
                throw Status.FAILED_PRECONDITION.withDescription("version " + request.getVersion()
                        + " is not loaded; push it first").asRuntimeException();
            }
            installer.activate(request.getPolicy(), request.getVersion());
            return Outcome.ACTIVATED;
        });
    }

    @Override
    public void rollback(RollbackRequest request, StreamObserver<ModelStatus> response) {
        answer(response, request.getPolicy(), () -> {
            if (registry.previous(request.getPolicy()).isEmpty()) {
                throw Status.FAILED_PRECONDITION.withDescription("no previous version to roll back to")
                        .asRuntimeException();
            }
            PolicyVersion now = registry.rollback(request.getPolicy());
            metrics.rolledBack(request.getPolicy());
            LOG.warnf("rolled back to %s: %s", now.label(), request.getReason());
            return Outcome.ROLLED_BACK;
        });
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        StatusResponse.Builder out = StatusResponse.newBuilder();
        for (String policy : registry.policies()) {
            if (request.getPolicy().isEmpty() || request.getPolicy().equals(policy)) {
                out.addPolicies(status(policy, Outcome.UNCHANGED));
            }
        }
        response.onNext(out.build());
        response.onCompleted();
    }

    private interface Action {
        Outcome run();
    }

    private void answer(StreamObserver<ModelStatus> response, String policy, Action action) {
        try {
            Outcome outcome = action.run();
            response.onNext(status(policy, outcome));
            response.onCompleted();
        } catch (UnknownPolicyException e) {
            response.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
        } catch (io.grpc.StatusRuntimeException e) {
            response.onError(e);
        }
    }

    private ModelStatus status(String policy, Outcome outcome) {
        return ModelStatus.newBuilder().setPolicy(policy).setActiveVersion(registry.active(policy).version())
                .setPreviousVersion(registry.previous(policy).map(PolicyVersion::version).orElse(-1L))
                .setCandidateVersion(registry.candidate(policy).map(PolicyVersion::version).orElse(-1L))
                .setOutcome(outcome).setBaseModel(registry.base().fingerprint()).build();
    }
}
