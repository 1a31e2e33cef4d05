package io.livedpo.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.LatestRequest;
import io.livedpo.testing.tls.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GrpcTls} over real gRPC on loopback, with a CA, server and client certificates and a second, untrusted CA all
 * made in the test: only a client holding a certificate from the trusted CA, verifying the server against it, gets
 * through, and the control token is still checked behind the handshake. Refused callers never reach the service.
 */
class GrpcTlsTest {

    private static final String TOKEN = "tls-control-token";

    @TempDir
    Path dir;

    private final AtomicInteger served = new AtomicInteger();
    private TestPki.Authority ca;
    private TestPki.PemFiles client;
    private Path trust;
    private Server server;
    private int port;
    private final java.util.List<GrpcTls.Lease> leases = new java.util.ArrayList<>();

    @BeforeEach
    void pki() {
        ca = TestPki.authority("livedpo test CA");
        trust = ca.writeCertificate(dir, "ca.crt");
        client = ca.issue("trainer", "trainer.livedpo").write(dir, "client");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        leases.forEach(GrpcTls.Lease::close);
    }

    @Test
    void aClientWithACertificateFromTheTrustedCaAndTheTokenGetsThrough() throws IOException {
        serve(ca.issue("serving", "localhost", "127.0.0.1"));
        GrpcTls tls = GrpcTls.of(client.certificate(), client.privateKey(), trust, Optional.empty());

        assertEquals(7, call(channel(tls, "localhost:" + port), TOKEN).getVersion(), "by name");
        assertEquals(7, call(channel(tls, "127.0.0.1:" + port), TOKEN).getVersion(), "by address");
        assertEquals(2, served.get());
    }

    @Test
    void theTokenIsStillRequiredUnderTls() throws IOException {
        serve(ca.issue("serving", "localhost", "127.0.0.1"));
        GrpcTls tls = GrpcTls.of(client.certificate(), client.privateKey(), trust, Optional.empty());

        assertEquals(Status.Code.UNAUTHENTICATED, refusal(channel(tls, "localhost:" + port), "wrong-token"));
        assertEquals(Status.Code.UNAUTHENTICATED, refusal(channel(tls, "localhost:" + port), null));
        assertEquals(0, served.get(), "a call without the token reached the service");
    }

    @Test
    void clientsWithoutATrustedCertificateAreRefusedInTheHandshake() throws IOException {
        serve(ca.issue("serving", "localhost", "127.0.0.1"));
        String target = "localhost:" + port;
        TestPki.PemFiles stranger = TestPki.authority("untrusted CA").issue("trainer", "trainer.livedpo")
                .write(dir, "stranger");

        ChannelCredentials noCertificate = TlsChannelCredentials.newBuilder().trustManager(trust.toFile()).build();
        ChannelCredentials untrustedCertificate = TlsChannelCredentials.newBuilder()
                .keyManager(stranger.certificate().toFile(), stranger.privateKey().toFile())
                .trustManager(trust.toFile()).build();
        Map<String, ChannelCredentials> clients = Map.of("no client certificate", noCertificate,
                "a certificate from an untrusted CA", untrustedCertificate,
                "plaintext", InsecureChannelCredentials.create());
        clients.forEach((name, credentials) -> assertEquals(Status.Code.UNAVAILABLE,
                refusal(Grpc.newChannelBuilder(target, credentials), TOKEN), name));
        assertEquals(0, served.get(), "a refused client reached the service");
    }

    @Test
    void aServerWhoseCertificateTheClientCannotVerifyIsNeverCalled() throws Exception {
        // Issued by a CA the client does not trust, and (the trusted CA's) for another name than the one dialled.
        serve(TestPki.authority("untrusted CA").issue("impostor", "localhost", "127.0.0.1"));
        GrpcTls tls = GrpcTls.of(client.certificate(), client.privateKey(), trust, Optional.empty());
        assertEquals(Status.Code.UNAVAILABLE, refusal(channel(tls, "localhost:" + port), TOKEN), "untrusted issuer");
        stop();
        serve(ca.issue("serving", "livedpo-serving.livedpo.svc"));
        assertEquals(Status.Code.UNAVAILABLE, refusal(channel(tls, "127.0.0.1:" + port), TOKEN), "wrong name");
        assertEquals(0, served.get());

        // A pod dialled by its IP verifies the certificate against the configured server name instead.
        GrpcTls named = GrpcTls.of(client.certificate(), client.privateKey(), trust,
                Optional.of("livedpo-serving.livedpo.svc"));
        assertEquals(7, call(channel(named, "127.0.0.1:" + port), TOKEN).getVersion());
    }

    @Test
    void offIsPlaintextAndOnNeedsEveryFileNamingTheOneMissing() throws IOException {
        assertSame(GrpcTls.OFF, GrpcTls.from(config(Map.of())));
        assertSame(GrpcTls.OFF, GrpcTls.from(config(Map.of("livedpo.grpc.tls.enabled", "false",
                "livedpo.grpc.tls.cert", "/nowhere"))));
        assertFalse(GrpcTls.OFF.enabled());

        Path missing = dir.resolve("missing.key");
        IllegalStateException noFile = assertThrows(IllegalStateException.class, () -> GrpcTls.from(config(Map.of(
                "livedpo.grpc.tls.enabled", "true", "livedpo.grpc.tls.cert", client.certificate().toString(),
                "livedpo.grpc.tls.key", missing.toString(), "livedpo.grpc.tls.trust", trust.toString()))));
        assertTrue(noFile.getMessage().contains("livedpo.grpc.tls.key") && noFile.getMessage().contains(
                missing.toString()) && noFile.getMessage().contains("LIVEDPO_GRPC_TLS_KEY"), noFile.getMessage());

        IllegalStateException unset = assertThrows(IllegalStateException.class, () -> GrpcTls.from(config(Map.of(
                "livedpo.grpc.tls.enabled", "true", "livedpo.grpc.tls.cert", client.certificate().toString(),
                "livedpo.grpc.tls.key", client.privateKey().toString()))));
        assertTrue(unset.getMessage().contains("livedpo.grpc.tls.trust"), unset.getMessage());

        // A key where the certificate belongs, and a certificate where the key belongs: named, and no key text quoted.
        String keyText = Files.readString(client.privateKey());
        String keyBody = keyText.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        IllegalStateException swapped = assertThrows(IllegalStateException.class, () -> GrpcTls.of(
                client.privateKey(), client.certificate(), trust, Optional.empty()));
        assertTrue(swapped.getMessage().contains("livedpo.grpc.tls.cert"), swapped.getMessage());
        assertFalse(String.valueOf(swapped).contains(keyBody), "the key's text is in the error");
        IllegalStateException notAKey = assertThrows(IllegalStateException.class, () -> GrpcTls.of(
                client.certificate(), client.certificate(), trust, Optional.empty()));
        assertTrue(notAKey.getMessage().contains("livedpo.grpc.tls.key"), notAKey.getMessage());

        // A key of another certificate (one renewal's key beside the next one's certificate) stops start-up too.
        TestPki.PemFiles other = ca.issue("trainer", "trainer.livedpo").write(dir, "other");
        IllegalStateException mismatch = assertThrows(IllegalStateException.class, () -> GrpcTls.of(
                client.certificate(), other.privateKey(), trust, Optional.empty()));
        assertTrue(mismatch.getMessage().contains("livedpo.grpc.tls.key") && mismatch.getMessage().contains(
                other.privateKey().toString()), mismatch.getMessage());

        GrpcTls on = GrpcTls.from(config(Map.of("livedpo.grpc.tls.enabled", "true",
                "livedpo.grpc.tls.cert", client.certificate().toString(),
                "livedpo.grpc.tls.key", client.privateKey().toString(), "livedpo.grpc.tls.trust", trust.toString())));
        assertTrue(on.enabled());
        assertEquals(GrpcTls.DEFAULT_REFRESH_PERIOD, on.refreshPeriod());
        for (Map.Entry<String, java.time.Duration> period : Map.of("250ms", java.time.Duration.ofMillis(250),
                "30s", java.time.Duration.ofSeconds(30), "5m", java.time.Duration.ofMinutes(5),
                "PT2M", java.time.Duration.ofMinutes(2), "45", java.time.Duration.ofSeconds(45)).entrySet()) {
            assertEquals(period.getValue(), GrpcTls.from(config(Map.of("livedpo.grpc.tls.enabled", "true",
                    "livedpo.grpc.tls.cert", client.certificate().toString(),
                    "livedpo.grpc.tls.key", client.privateKey().toString(), "livedpo.grpc.tls.trust",
                    trust.toString(), "livedpo.grpc.tls.refresh-period", period.getKey()))).refreshPeriod(),
                    period.getKey());
        }
        for (String bad : java.util.List.of("soon", "0s", "-5s")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> GrpcTls.from(config(Map.of(
                    "livedpo.grpc.tls.enabled", "true", "livedpo.grpc.tls.cert", client.certificate().toString(),
                    "livedpo.grpc.tls.key", client.privateKey().toString(), "livedpo.grpc.tls.trust",
                    trust.toString(), "livedpo.grpc.tls.refresh-period", bad))), bad);
            assertTrue(e.getMessage().contains("LIVEDPO_GRPC_TLS_REFRESH_PERIOD"), e.getMessage());
        }
        assertFalse(on.toString().contains(keyBody), "toString names files, never their contents");
    }

    private void serve(TestPki.Issued serverCertificate) throws IOException {
        TestPki.PemFiles files = serverCertificate.write(dir, "server");
        GrpcTls tls = GrpcTls.of(files.certificate(), files.privateKey(), trust, Optional.empty());
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                        lease(tls).serverCredentials())
                .addService(ServerInterceptors.intercept(new Store(), new ControlToken(Optional.of(TOKEN))))
                .build().start();
        port = server.getPort();
    }

    private GrpcTls.Lease lease(GrpcTls tls) {
        GrpcTls.Lease lease = tls.lease();
        leases.add(lease);
        return lease;
    }

    private ManagedChannelBuilder<?> channel(GrpcTls tls, String target) {
        return lease(tls).channel(target);
    }

    private static CheckpointHeader call(ManagedChannelBuilder<?> builder, String token) {
        ManagedChannel channel = builder.build();
        try {
            return CheckpointStoreGrpc.newBlockingStub(channel)
                    .withInterceptors(ControlToken.attach(Optional.ofNullable(token)))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .latest(LatestRequest.newBuilder().setPolicy("default").build());
        } finally {
            channel.shutdownNow();
        }
    }

    private static Status.Code refusal(ManagedChannelBuilder<?> builder, String token) {
        return assertThrows(StatusRuntimeException.class, () -> call(builder, token)).getStatus().getCode();
    }

    private static Function<String, Optional<String>> config(Map<String, String> values) {
        return name -> Optional.ofNullable(values.get(name));
    }

    private final class Store extends CheckpointStoreGrpc.CheckpointStoreImplBase {
        @Override
        public void latest(LatestRequest request, StreamObserver<CheckpointHeader> out) {
            served.incrementAndGet();
            out.onNext(CheckpointHeader.newBuilder().setPolicy(request.getPolicy()).setVersion(7).build());
            out.onCompleted();
        }
    }
}
