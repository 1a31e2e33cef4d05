package io.livedpo.trainer;

import io.livedpo.testing.logs.CapturedLogs;
import io.livedpo.testing.tls.TestPki;
import io.livedpo.transfer.GrpcTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;

/**
 * The trainer with {@code livedpo.grpc.tls} on: a CA made for the run, certificates for the trainer and for serving
 * (localhost, 127.0.0.1), one from a CA nobody trusts, a {@link RecordingReplica} that requires mutual TLS, random
 * control token and HMAC key, and every log record captured from before start-up.
 */
public class MutualTlsReplicaResource implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "tok-" + UUID.randomUUID();
    static final String SIGNING_KEY = "key-" + UUID.randomUUID();
    static final Queue<String> LOGS = CapturedLogs.newQueue();
    static Path trust;
    static TestPki.PemFiles trainer;
    static TestPki.PemFiles serving;
    static TestPki.PemFiles stranger;
    static RecordingReplica replica;
    private GrpcTls.Lease lease;
    private CapturedLogs capture;

    @Override
    public Map<String, String> start() {
        capture = CapturedLogs.install(LOGS);
        try {
            Path dir = Files.createTempDirectory("livedpo-pki");
            TestPki.Authority ca = TestPki.authority("livedpo test CA");
            trust = ca.writeCertificate(dir, "ca.crt");
            trainer = ca.issue("trainer", "localhost", "127.0.0.1").write(dir, "trainer");
            serving = ca.issue("serving", "localhost", "127.0.0.1").write(dir, "serving");
            stranger = TestPki.authority("untrusted CA").issue("serving", "localhost").write(dir, "stranger");
            lease = GrpcTls.of(serving.certificate(), serving.privateKey(), trust, Optional.empty()).lease();
            replica = new RecordingReplica(TOKEN, SIGNING_KEY, lease.serverCredentials());
            return trainerSettings(trainer.certificate(), trainer.privateKey(), trust, TOKEN, SIGNING_KEY,
                    replica.target());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The trainer with mutual TLS from these files, pushing to {@code target} with this token and HMAC key, its
     * checkpoints in a fresh directory (a mutable map: a resource may add settings).
     */
    static Map<String, String> trainerSettings(Path cert, Path key, Path trust, String token, String signingKey,
                                               String target) throws IOException {
        return new HashMap<>(Map.of("livedpo.grpc.tls.enabled", "true",
                "livedpo.grpc.tls.cert", cert.toString(),
                "livedpo.grpc.tls.key", key.toString(),
                "livedpo.grpc.tls.trust", trust.toString(),
                "livedpo.trainer.publish.token", token,
                "livedpo.trainer.publish.signing-key", signingKey,
                "livedpo.trainer.publish.targets", target,
                "livedpo.trainer.store-dir", Files.createTempDirectory("livedpo-store-").toString()));
    }

    @Override
    public void stop() {
        if (replica != null) {
            replica.close();
        }
        if (lease != null) {
            lease.close();
        }
        capture.close();
    }
}
