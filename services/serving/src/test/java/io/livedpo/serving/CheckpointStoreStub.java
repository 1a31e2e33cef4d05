package io.livedpo.serving;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.FetchRequest;
import io.livedpo.proto.FetchResponse;
import io.livedpo.proto.LatestRequest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real CheckpointStore gRPC server on a loopback port, standing in for the trainer (services never import each
 * other): it serves whatever archives the test puts into {@link #ARCHIVES}.
 */
public class CheckpointStoreStub implements QuarkusTestResourceLifecycleManager {

    /** policy@version → header and archive bytes. */
    static final Map<String, Entry> ARCHIVES = new ConcurrentHashMap<>();

    record Entry(CheckpointHeader header, byte[] bytes) {
    }

    private Server server;

    @Override
    public Map<String, String> start() {
        try {
            server = ServerBuilder.forPort(0).addService(new CheckpointStoreGrpc.CheckpointStoreImplBase() {
                @Override
                public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
                    Entry e = ARCHIVES.get(request.getPolicy() + "@" + request.getVersion());
                    if (e == null) {
                        out.onError(Status.NOT_FOUND.asRuntimeException());
                        return;
                    }
                    out.onNext(FetchResponse.newBuilder().setHeader(e.header()).build());
                    int chunk = 64 * 1024;
                    for (int from = 0; from < e.bytes().length; from += chunk) {
                        out.onNext(FetchResponse.newBuilder().setChunk(ByteString.copyFrom(e.bytes(), from,
                                Math.min(chunk, e.bytes().length - from))).build());
                    }
                    out.onCompleted();
                }

                @Override
                public void latest(LatestRequest request, StreamObserver<CheckpointHeader> out) {
                    out.onError(Status.UNIMPLEMENTED.asRuntimeException());
                }
            }).build().start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("livedpo.serving.catch-up.checkpoint-store", "localhost:" + server.getPort(),
                "livedpo.serving.catch-up.poll-interval", "200ms");
    }

    @Override
    public void stop() {
        server.shutdownNow();
    }
}
