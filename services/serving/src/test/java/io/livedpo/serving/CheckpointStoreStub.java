package io.livedpo.serving;

import io.grpc.Server;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.FetchRequest;
import io.livedpo.proto.FetchResponse;
import io.livedpo.proto.LatestRequest;
import io.livedpo.transfer.ArchiveFrames;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.ControlToken;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real CheckpointStore gRPC server on a loopback port, standing in for the trainer (services never import each
 * other): it serves whatever archives the test puts into {@link #ARCHIVES}, to callers holding the control token.
 */
public class CheckpointStoreStub implements QuarkusTestResourceLifecycleManager {

    /** policy@version → header and archive bytes. */
    static final Map<String, Entry> ARCHIVES = new ConcurrentHashMap<>();

    record Entry(ArchiveHeader header, byte[] bytes) {
    }

    private Server server;

    @Override
    public Map<String, String> start() {
        // Requires the control token as the trainer's store does: a replica that does not send it never catches up.
        server = serve(InsecureServerCredentials.create(), TestClients.TOKEN);
        return Map.of("livedpo.serving.catch-up.checkpoint-store", "localhost:" + server.getPort(),
                "livedpo.serving.catch-up.poll-interval", "200ms");
    }

    /** The stub store on a free loopback port with these credentials, to callers presenting {@code token}. */
    static Server serve(ServerCredentials credentials, String token) {
        try {
            return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
                    .addService(ServerInterceptors.intercept(
                    new CheckpointStoreGrpc.CheckpointStoreImplBase() {
                        @Override
                        public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
                            Entry e = ARCHIVES.get(request.getPolicy() + "@" + request.getVersion());
                            if (e == null) {
                                out.onError(Status.NOT_FOUND.asRuntimeException());
                                return;
                            }
                            ArchiveFrames.fetch(e.header(), e.bytes()).forEach(out::onNext);
                            out.onCompleted();
                        }

                        @Override
                        public void latest(LatestRequest request, StreamObserver<CheckpointHeader> out) {
                            out.onError(Status.UNIMPLEMENTED.asRuntimeException());
                        }
                    }, new ControlToken(Optional.of(token)))).build().start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        server.shutdownNow();
    }
}
