package io.livedpo.trainer;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.transfer.ArchiveAssembly;
import io.livedpo.transfer.ArchiveSignature;
import io.livedpo.transfer.CheckpointRejectedException;
import io.livedpo.transfer.ControlToken;
import io.livedpo.transfer.PushReceiver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real ModelControl server on a loopback port, standing in for a serving replica: it receives and checks pushes with
 * the same transfer code as serving (token, size, sha256, HMAC), records each push, and activates what verifies.
 */
final class RecordingReplica implements AutoCloseable {

    /** One push as received; {@code verified} when size, hash and signature matched the header. */
    record Push(CheckpointHeader header, byte[] archive, boolean verified, Instant at) {
    }

    private final List<Push> pushes = new CopyOnWriteArrayList<>();
    private final Server server;
    private final ArchiveSignature signer;
    private final Path staging;

    RecordingReplica(String token, String signingKey) throws IOException {
        this(token, signingKey, InsecureServerCredentials.create());
    }

    /** With these credentials: mutual TLS, say, as serving's ModelControl has with {@code livedpo.grpc.tls}. */
    RecordingReplica(String token, String signingKey, ServerCredentials credentials) throws IOException {
        this.signer = new ArchiveSignature(Optional.of(signingKey));
        this.staging = Files.createTempDirectory("recording-replica");
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0), credentials)
                .addService(ServerInterceptors.intercept(new Control(), new ControlToken(Optional.of(token))))
                .build().start();
    }

    String target() {
        return "localhost:" + server.getPort();
    }

    List<Push> pushes() {
        return List.copyOf(pushes);
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private final class Control extends ModelControlGrpc.ModelControlImplBase {
        @Override
        public StreamObserver<PushCheckpointRequest> pushCheckpoint(StreamObserver<PushCheckpointResponse> response) {
            return new PushReceiver(new ArchiveAssembly(staging, Long.MAX_VALUE), Runnable::run, archive -> {
                CheckpointHeader header = archive.header().toProto();
                boolean verified;
                try {
                    archive.verify(signer);
                    verified = true;
                } catch (CheckpointRejectedException e) {
                    verified = false;
                }
                pushes.add(new Push(header, Files.readAllBytes(archive.file()), verified, Instant.now()));
                if (!verified) {
                    throw new CheckpointRejectedException("verification", "verification failed");
                }
                return PushCheckpointResponse.newBuilder().setPolicy(header.getPolicy())
                        .setVersion(header.getVersion()).setActiveVersion(header.getVersion())
                        .setPreviousVersion(header.getParentVersion()).setOutcome(Outcome.ACTIVATED).build();
            }, response);
        }
    }
}
