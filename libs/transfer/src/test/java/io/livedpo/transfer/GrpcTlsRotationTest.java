package io.livedpo.transfer;

import static io.livedpo.testing.tls.SecretMount.bundle;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.LatestRequest;
import io.livedpo.testing.logs.CapturedLogs;
import io.livedpo.testing.tls.PresentedCertificate;
import io.livedpo.testing.tls.SecretMount;
import io.livedpo.testing.tls.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Certificates rotated under running servers and channels, the way Kubernetes updates a mounted Secret: the new files
 * go into a fresh directory and the {@code ..data} link is swapped to it in one rename, with {@code tls.crt},
 * {@code tls.key} and {@code ca.crt} links through {@code ..data}. New handshakes take the new material within the
 * refresh period, on the shaded Netty transport (the libraries, the CLI) and on the plain one (the services'
 * ControlServer and StoreServer). Files that do not make a whole are refused, the old material keeps working, the
 * refusal is counted, and no log record holds a byte of any key.
 */
class GrpcTlsRotationTest {

    private static final String TOKEN = "rotation-token";
    private static final Duration PERIOD = Duration.ofMillis(50);

    @TempDir
    Path dir;

    private final Queue<String> logs = CapturedLogs.newQueue();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private CapturedLogs capture;
    private TestPki.Authority ca1;
    private TestPki.Authority ca2;

    @BeforeEach
    void pki() {
        capture = CapturedLogs.install(logs);
        ca1 = TestPki.authority("livedpo CA 1");
        ca2 = TestPki.authority("livedpo CA 2");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        capture.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shaded", "netty"})
    void aServerTakesANewCertificateFromANewCaWithoutARestart(String transport) throws Exception {
        TestPki.Issued a = ca1.issue("serving A", "localhost");
        Secret served = new Secret("serving").write(a, bundle(ca1));
        GrpcTls serverTls = served.tls(Optional.empty());
        int port = serve(transport, serverTls);
        String target = "localhost:" + port;

        GrpcTls oldClient = new Secret("old-client").write(ca1.issue("trainer", "trainer"), bundle(ca1, ca2))
                .tls(Optional.empty());
        GrpcTls newClient = new Secret("new-client").write(ca2.issue("trainer", "trainer"), bundle(ca2))
                .tls(Optional.empty());
        assertEquals(a.certificate(), presented(oldClient, target), "cert A from CA 1 to start with");
        assertEquals(Status.Code.UNAVAILABLE, refusal(newClient, target), "a client trusting only CA 2");

        // Renewal onto CA 2: the server trusts both CAs while clients move over.
        TestPki.Issued b = ca2.issue("serving B", "localhost");
        served.write(b, bundle(ca1, ca2));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> assertEquals(b.certificate(), presented(newClient, target), "cert B to a CA 2 client"));
        assertEquals(b.certificate(), presented(oldClient, target), "a CA 1 client that already trusts CA 2");

        // CA 1 leaves the bundle: a client still holding its CA 1 certificate is refused in the handshake.
        served.write(b, bundle(ca2));
        await().atMost(Duration.ofSeconds(30)).until(() -> refusal(oldClient, target) == Status.Code.UNAVAILABLE);
        assertEquals(b.certificate(), presented(newClient, target));
        assertEquals(2, serverTls.reloads(), "B with both CAs, then B with CA 2 alone");
        assertEquals(0, serverTls.reloadFailures());
        assertTrue(logs.stream().anyMatch(r -> r.contains("gRPC TLS reloaded") && r.contains("serving B")),
                String.join("\n", logs));
        noKeyLogged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shaded", "netty"})
    void filesThatDoNotMakeAWholeAreRefusedAndTheOldMaterialKeepsWorking(String transport) throws Exception {
        TestPki.Issued a = ca1.issue("serving A", "localhost");
        Secret served = new Secret("serving").write(a, bundle(ca1));
        GrpcTls serverTls = served.tls(Optional.empty());
        String target = "localhost:" + serve(transport, serverTls);
        GrpcTls client = new Secret("client").write(ca1.issue("trainer", "trainer"), bundle(ca1))
                .tls(Optional.empty());

        // Half written: the certificate cut in the middle of its base64.
        String pem = a.certificatePem();
        served.writeRaw(pem.substring(0, pem.length() / 2), a.privateKeyPem(), ca1.certificatePem());
        await().atMost(Duration.ofSeconds(30)).until(() -> serverTls.reloadFailures() == 1);
        assertEquals(a.certificate(), presented(client, target), "cert A still served");

        // One renewal's certificate beside another's key.
        TestPki.Issued c = ca1.issue("serving C", "localhost");
        TestPki.Issued other = ca1.issue("serving C", "localhost");
        served.writeRaw(c.certificatePem(), other.privateKeyPem(), ca1.certificatePem());
        keys.add(other.privateKeyPem());
        await().atMost(Duration.ofSeconds(30)).until(() -> serverTls.reloadFailures() == 2);
        assertEquals(a.certificate(), presented(client, target), "cert A still served");
        assertEquals(0, serverTls.reloads());
        String warnings = String.join("\n", logs.stream().filter(r -> r.contains("cannot be used")).toList());
        assertTrue(warnings.contains(served.cert.toString()) && warnings.contains("is not the key of the certificate")
                && warnings.contains(served.key.toString()), warnings);

        // The next good files are taken.
        served.write(c, bundle(ca1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> assertEquals(c.certificate(), presented(client, target)));
        assertEquals(1, serverTls.reloads());
        assertEquals(2, serverTls.reloadFailures(), "each refused state is counted once, not every period");
        noKeyLogged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shaded", "netty"})
    void aClientPresentsItsRenewedCertificateOnItsNextHandshake(String transport) throws Exception {
        // The server trusts only CA 2; the client starts with a CA 1 certificate on a channel it keeps.
        GrpcTls serverTls = new Secret("serving").write(ca2.issue("serving", "localhost"), bundle(ca2))
                .tls(Optional.empty());
        String target = "localhost:" + serve(transport, serverTls);
        Secret client = new Secret("client").write(ca1.issue("trainer", "trainer"), bundle(ca2));
        GrpcTls clientTls = client.tls(Optional.empty());
        GrpcTls.Lease lease = clientTls.lease();
        closing.add(lease);
        ManagedChannel kept = lease.channel(target).build();
        closing.add(kept::shutdownNow);
        assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class, () -> latest(kept, TOKEN))
                .getStatus().getCode());

        client.write(ca2.issue("trainer", "trainer"), bundle(ca2));
        // The kept channel reconnects after its failure: its next handshake presents the renewed certificate.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> latest(kept, TOKEN).getVersion() == 7);
        assertEquals(1, clientTls.reloads());
        noKeyLogged();
    }

    private void noKeyLogged() {
        for (String record : logs) {
            assertFalse(record.contains("PRIVATE KEY"), record);
            for (String key : keys) {
                key.lines().filter(l -> !l.startsWith("-----")).forEach(line -> assertFalse(record.contains(line),
                        "a key line was logged: " + record));
            }
        }
    }

    /** A Secret mounted the kubelet's way ({@link SecretMount}); every key written is remembered for the log check. */
    private final class Secret {
        final SecretMount mount;
        final Path cert;
        final Path key;

        Secret(String name) {
            mount = SecretMount.at(dir.resolve(name));
            cert = mount.certificate();
            key = mount.privateKey();
        }

        Secret write(TestPki.Issued issued, String bundle) {
            keys.add(issued.privateKeyPem());
            mount.write(issued, bundle);
            return this;
        }

        Secret writeRaw(String certPem, String keyPem, String bundle) {
            mount.write(certPem, keyPem, bundle);
            return this;
        }

        GrpcTls tls(Optional<String> serverName) {
            return GrpcTls.of(mount.certificate(), mount.privateKey(), mount.trust(), serverName, PERIOD);
        }
    }

    private int serve(String transport, GrpcTls tls) throws IOException {
        GrpcTls.Lease lease = tls.lease();
        closing.add(lease);
        ServerCredentials credentials = lease.serverCredentials();
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        Server server = ("shaded".equals(transport)
                ? io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(any, credentials)
                : io.grpc.netty.NettyServerBuilder.forAddress(any, credentials))
                .addService(ServerInterceptors.intercept(new Store(), new ControlToken(Optional.of(TOKEN))))
                .build().start();
        closing.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
        return server.getPort();
    }

    /** The certificate the server presented on a fresh connection's handshake, read from the client's TLS session. */
    private X509Certificate presented(GrpcTls tls, String target) {
        PresentedCertificate presented = new PresentedCertificate();
        try (GrpcTls.Lease lease = tls.lease()) {
            ManagedChannel channel = lease.channel(target).intercept(presented).build();
            try {
                assertEquals(7, latest(channel, TOKEN).getVersion());
            } finally {
                channel.shutdownNow();
            }
        }
        return presented.get();
    }

    private Status.Code refusal(GrpcTls tls, String target) {
        try (GrpcTls.Lease lease = tls.lease()) {
            ManagedChannel channel = lease.channel(target).build();
            try {
                return assertThrows(StatusRuntimeException.class, () -> latest(channel, TOKEN)).getStatus().getCode();
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static CheckpointHeader latest(Channel channel, String token) {
        return CheckpointStoreGrpc.newBlockingStub(channel)
                .withInterceptors(ControlToken.attach(Optional.of(token)))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .latest(LatestRequest.newBuilder().setPolicy("default").build());
    }

    private static final class Store extends CheckpointStoreGrpc.CheckpointStoreImplBase {
        @Override
        public void latest(LatestRequest request, StreamObserver<CheckpointHeader> out) {
            out.onNext(CheckpointHeader.newBuilder().setPolicy(request.getPolicy()).setVersion(7).build());
            out.onCompleted();
        }
    }
}
