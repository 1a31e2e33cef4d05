package io.livedpo.trainer.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.FetchRequest;
import io.livedpo.proto.FetchResponse;
import io.livedpo.proto.LatestRequest;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.PackedCheckpoint;
import io.livedpo.transfer.ArchiveFrames;
import io.livedpo.transfer.ArchiveSignature;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * Serves the store's archives to replicas catching up: the same header and chunk framing as a push, signed the same
 * way, so serving verifies a fetch exactly as it verifies a push. Headers say {@code activate = true}: the newest
 * checkpoint of a policy is the one to serve. Callers must hold the control-plane token ({@link StoreServer} puts the
 * interceptor in front, and mutual TLS when it is on); calls run on the server's executor, so reading the store may
 * block.
 */
public class CheckpointStoreGrpcService extends CheckpointStoreGrpc.CheckpointStoreImplBase {

    private final CheckpointStore store;
    private final ArchiveSignature signer;

    public CheckpointStoreGrpcService(CheckpointStore store, ArchiveSignature signer) {
        this.store = store;
        this.signer = signer;
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> response) {
        try {
            PackedCheckpoint packed = find(request.getPolicy(), request.getVersion());
            ArchiveFrames.fetch(packed.header(signer), packed.bytes()).forEach(response::onNext);
            response.onCompleted();
        } catch (IOException e) {
            response.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
        } catch (StatusRuntimeException e) {
            response.onError(e);
        }
    }

    @Override
    public void latest(LatestRequest request, StreamObserver<CheckpointHeader> response) {
        try {
            PackedCheckpoint packed = find(request.getPolicy(), 0);
            response.onNext(packed.header(signer).toProto());
            response.onCompleted();
        } catch (IOException e) {
            response.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
        } catch (StatusRuntimeException e) {
            response.onError(e);
        }
    }

    /** Version 0 is the newest. */
    private PackedCheckpoint find(String policy, long version) throws IOException {
        if (!CheckpointStore.validPolicy(policy)) {
            throw Status.INVALID_ARGUMENT.withDescription("'" + policy + "' is not a policy name").asRuntimeException();
        }
        OptionalLong wanted = version == 0 ? store.newest(policy) : OptionalLong.of(version);
        if (wanted.isEmpty() || !store.versions(policy).contains(wanted.getAsLong())) {
            throw Status.NOT_FOUND.withDescription("no checkpoint " + policy
                    + (version == 0 ? "" : " v" + version) + " in the store").asRuntimeException();
        }
        return store.pack(policy, wanted.getAsLong());
    }
}
