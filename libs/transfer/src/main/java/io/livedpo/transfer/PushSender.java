package io.livedpo.transfer;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** The sending end of one {@code ModelControl.PushCheckpoint} stream. */
public final class PushSender {

    private PushSender() {
    }

    /**
     * Streams {@code frames} (normally {@link ArchiveFrames#push}) on {@code stub}; completes with the replica's
     * answer, or exceptionally with its status.
     */
    public static CompletableFuture<PushCheckpointResponse> push(ModelControlGrpc.ModelControlStub stub,
                                                                 Stream<PushCheckpointRequest> frames) {
        CompletableFuture<PushCheckpointResponse> answer = new CompletableFuture<>();
        StreamObserver<PushCheckpointRequest> requests = stub.pushCheckpoint(new StreamObserver<>() {
            @Override
            public void onNext(PushCheckpointResponse value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                // No-op after onNext; a replica that closes without an answer is a failure.
                answer.completeExceptionally(Status.INTERNAL.withDescription("the replica sent no answer")
                        .asRuntimeException());
            }
        });
        frames.forEach(requests::onNext);
        requests.onCompleted();
        return answer;
    }
}
