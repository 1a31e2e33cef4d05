package io.livedpo.trainer;

import static io.livedpo.testing.tls.SecretMount.bundle;

import io.livedpo.testing.logs.CapturedLogs;
import io.livedpo.testing.tls.SecretMount;
import io.livedpo.testing.tls.TestPki;
import io.livedpo.transfer.GrpcTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;

/**
 * The trainer with {@code livedpo.grpc.tls} on, its certificate, key and trust bundle mounted the way the kubelet
 * mounts a Secret ({@link SecretMount}) and re-read every 100 ms, so a test can renew them under the running app.
 * Two CAs made for the run: the trainer starts with a certificate of CA 1 and trusts CA 1 alone; the first
 * {@link RecordingReplica} is a CA 1 replica. Every key written is remembered for the log check.
 */
public class RotatingTlsReplicaResource implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "tok-" + UUID.randomUUID();
    static final String SIGNING_KEY = "key-" + UUID.randomUUID();
    static final Queue<String> LOGS = CapturedLogs.newQueue();
    static final List<String> KEYS = new ArrayList<>();
    static TestPki.Authority ca1;
    static TestPki.Authority ca2;
    static TestPki.Issued trainerA;
    static SecretMount trainerSecret;
    static Path dir;
    static RecordingReplica replica;
    private static final List<AutoCloseable> CLOSING = new ArrayList<>();
    private CapturedLogs capture;

    @Override
    public Map<String, String> start() {
        capture = CapturedLogs.install(LOGS);
        try {
            dir = Files.createTempDirectory("livedpo-rotation");
            ca1 = TestPki.authority("livedpo CA 1");
            ca2 = TestPki.authority("livedpo CA 2");
            trainerA = issue(ca1, "trainer A");
            trainerSecret = SecretMount.at(dir.resolve("trainer")).write(trainerA, bundle(ca1));
            replica = replica(ca1, bundle(ca1), 0);
            Map<String, String> settings = MutualTlsReplicaResource.trainerSettings(trainerSecret.certificate(),
                    trainerSecret.privateKey(), trainerSecret.trust(), TOKEN, SIGNING_KEY, replica.target());
            settings.put("livedpo.grpc.tls.refresh-period", "100ms");
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A leaf certificate for localhost and 127.0.0.1 from {@code ca}, its key remembered. */
    static TestPki.Issued issue(TestPki.Authority ca, String name) {
        TestPki.Issued issued = ca.issue(name, "localhost", "127.0.0.1");
        KEYS.add(issued.privateKeyPem());
        return issued;
    }

    /**
     * A replica presenting a certificate of {@code ca} and requiring a client certificate from {@code trustPem}, on
     * {@code port} (0: any free one).
     */
    static RecordingReplica replica(TestPki.Authority ca, String trustPem, int port) throws IOException {
        SecretMount mount = SecretMount.at(dir.resolve("serving-" + UUID.randomUUID()))
                .write(issue(ca, "serving"), trustPem);
        GrpcTls.Lease lease = GrpcTls.of(mount.certificate(), mount.privateKey(), mount.trust(), Optional.empty())
                .lease();
        RecordingReplica started = new RecordingReplica(TOKEN, SIGNING_KEY, lease.serverCredentials(), port);
        CLOSING.add(started);
        CLOSING.add(lease);
        return started;
    }

    @Override
    public void stop() {
        for (int i = CLOSING.size() - 1; i >= 0; i--) {
            try {
                CLOSING.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CLOSING.clear();
        capture.close();
    }
}
