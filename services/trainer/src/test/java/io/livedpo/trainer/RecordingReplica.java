package io.livedpo.trainer;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livedpo.common.Sha256;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.trainer.service.ArchiveSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real ModelControl server on a loopback port, standing in for a serving replica: it checks the bearer token, the
 * archive's size, sha256 and HMAC signature as serving does, records each push, and activates what verifies.
 */
final class RecordingReplica implements AutoCloseable {

    /** One push as received; {@code verified} when size, hash and signature matched the header. */
    record Push(CheckpointHeader header, byte[] archive, boolean verified, Instant at) {
    }

    private final List<Push> pushes = new CopyOnWriteArrayList<>();
    private final Server server;
    private final String token;
    private final ArchiveSigner signer;

    RecordingReplica(String token, String signingKey) throws IOException {
        this.token = token;
        this.signer = new ArchiveSigner(Optional.of(signingKey));
        this.server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new Control(), new TokenCheck())).build().start();
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

    private final class TokenCheck implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
            if (!("Bearer " + token).equals(auth)) {
                call.close(Status.UNAUTHENTICATED, new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }

    private final class Control extends ModelControlGrpc.ModelControlImplBase {
        @Override
        public StreamObserver<PushCheckpointRequest> pushCheckpoint(StreamObserver<PushCheckpointResponse> response) {
            return new StreamObserver<>() {
                private CheckpointHeader header;
                private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

                @Override
                public void onNext(PushCheckpointRequest r) {
                    if (r.hasHeader()) {
                        header = r.getHeader();
                    } else {
                        bytes.writeBytes(r.getChunk().toByteArray());
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    byte[] archive = bytes.toByteArray();
                    boolean verified = header != null && archive.length == header.getSizeBytes()
                            && Sha256.hex(archive).equals(header.getSha256())
                            && MessageDigest.isEqual(signer.sign(archive), header.getSignature().toByteArray());
                    pushes.add(new Push(header, archive, verified, Instant.now()));
                    if (!verified) {
                        response.onError(Status.FAILED_PRECONDITION.withDescription("verification failed")
                                .asRuntimeException());
                        return;
                    }
                    response.onNext(PushCheckpointResponse.newBuilder().setPolicy(header.getPolicy())
                            .setVersion(header.getVersion()).setActiveVersion(header.getVersion())
                            .setPreviousVersion(header.getParentVersion()).setOutcome("activated").build());
                    response.onCompleted();
                }
            };
        }
    }
}
