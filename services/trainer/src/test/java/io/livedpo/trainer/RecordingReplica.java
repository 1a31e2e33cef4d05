package io.livedpo.trainer;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
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
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A real ModelControl server on a loopback port, standing in for a serving replica: it receives and checks pushes with
 * the same transfer code as serving (token, size, sha256, HMAC), records each push, and activates what verifies.
 */
final class RecordingReplica implements AutoCloseable {

    /**
     * One push as received; {@code verified} when size, hash and signature matched the header; {@code caller} the
     * certificate the pusher presented in the TLS handshake of the connection it came on (empty in plaintext).
     */
    record Push(CheckpointHeader header, byte[] archive, boolean verified, Instant at,
                Optional<X509Certificate> caller) {
    }

    private static final Context.Key<Optional<X509Certificate>> CALLER = Context.key("caller certificate");

    private final List<Push> pushes = new CopyOnWriteArrayList<>();
    private final Server server;
    private final ArchiveSignature signer;
    private final Path staging;

    RecordingReplica(String token, String signingKey) throws IOException {
        this(token, signingKey, InsecureServerCredentials.create());
    }

    /** With these credentials: mutual TLS, say, as serving's ModelControl has with {@code livedpo.grpc.tls}. */
    RecordingReplica(String token, String signingKey, ServerCredentials credentials) throws IOException {
        this(token, signingKey, credentials, 0);
    }

    /** On this port (0: any): a replica restarted where the trainer's configured target points. */
    RecordingReplica(String token, String signingKey, ServerCredentials credentials, int port) throws IOException {
        this.signer = new ArchiveSignature(Optional.of(signingKey));
        this.staging = Files.createTempDirectory("recording-replica");
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("localhost", port), credentials)
                .addService(ServerInterceptors.intercept(new Control(), new ControlToken(Optional.of(token)),
                        new CallerCertificate()))
                .build().start();
    }

    int port() {
        return server.getPort();
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
        try {
            // Until the port is free again: a test may restart a replica where the trainer's target points.
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Puts the client certificate of the call's TLS session in the call's context. */
    private static final class CallerCertificate implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            Optional<X509Certificate> caller = Optional.empty();
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            if (session != null) {
                try {
                    caller = Optional.of((X509Certificate) session.getPeerCertificates()[0]);
                } catch (SSLPeerUnverifiedException e) {
                    caller = Optional.empty();
                }
            }
            return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
        }
    }

    private final class Control extends ModelControlGrpc.ModelControlImplBase {
        @Override
        public StreamObserver<PushCheckpointRequest> pushCheckpoint(StreamObserver<PushCheckpointResponse> response) {
            Optional<X509Certificate> caller = CALLER.get();
            return new PushReceiver(new ArchiveAssembly(staging, Long.MAX_VALUE), Runnable::run, archive -> {
                CheckpointHeader header = archive.header().toProto();
                boolean verified;
                try {
                    archive.verify(signer);
                    verified = true;
                } catch (CheckpointRejectedException e) {
                    verified = false;
                }
                pushes.add(new Push(header, Files.readAllBytes(archive.file()), verified, Instant.now(),
                        caller));
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
