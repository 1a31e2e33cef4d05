package io.livedpo.serving;

import io.grpc.Server;
import io.livedpo.testing.logs.CapturedLogs;
import io.livedpo.testing.tls.SecretMount;
import io.livedpo.testing.tls.TestPki;
import io.livedpo.transfer.GrpcTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;

/**
 * Serving with {@code livedpo.grpc.tls} on: a CA made for the run, a certificate for serving (localhost, 127.0.0.1),
 * mounted as Kubernetes mounts a Secret (so the test can renew it in place; re-read every 100 ms), a renewal of it
 * ready in files of its own, one for the trainer, one from a CA nobody trusts, and the trainer's CheckpointStore stand-in requiring the trainer's
 * side of mutual TLS, so catch-up must present serving's certificate. Random control token and HMAC key; every log
 * record captured from before start-up. The test gets the file paths and secrets through a field {@code pki}
 * ({@code Map<String, String>}) and the records through {@code capturedLogs}: JDK types, as Quarkus may load this and
 * the test in different class loaders.
 */
public class MutualTlsPki implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "token";
    static final String SIGNING_KEY = "signing-key";
    static final String TRUST = "trust";
    static final String SERVING_KEY = "serving.key";
    /** The directory serving's Secret is mounted at ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). */
    static final String SERVING_MOUNT = "serving.mount";
    static final String RENEWED_CERT = "renewed.crt";
    static final String RENEWED_KEY = "renewed.key";
    static final String TRAINER_CERT = "trainer.crt";
    static final String TRAINER_KEY = "trainer.key";
    static final String STRANGER_CERT = "stranger.crt";
    static final String STRANGER_KEY = "stranger.key";

    private final Queue<String> records = CapturedLogs.newQueue();
    private final Map<String, String> pki = new HashMap<>();
    private CapturedLogs capture;
    private Server store;
    private GrpcTls.Lease storeTls;

    @Override
    public Map<String, String> start() {
        capture = CapturedLogs.install(records);
        try {
            Path dir = Files.createTempDirectory("livedpo-pki");
            TestPki.Authority ca = TestPki.authority("livedpo test CA");
            Path trust = ca.writeCertificate(dir, "ca.crt");
            TestPki.Issued servingIssued = ca.issue("serving", "localhost", "127.0.0.1");
            TestPki.PemFiles serving = servingIssued.write(dir, "serving");
            SecretMount mount = SecretMount.at(dir.resolve("serving-secret"))
                    .write(servingIssued, ca.certificatePem());
            TestPki.PemFiles renewed = ca.issue("serving renewed", "localhost", "127.0.0.1").write(dir, "renewed");
            TestPki.PemFiles trainer = ca.issue("trainer", "localhost", "127.0.0.1").write(dir, "trainer");
            TestPki.PemFiles stranger = TestPki.authority("untrusted CA").issue("trainer", "localhost")
                    .write(dir, "stranger");
            pki.putAll(Map.of(TOKEN, "tok-" + UUID.randomUUID(), SIGNING_KEY, "key-" + UUID.randomUUID(),
                    TRUST, trust.toString(), SERVING_KEY, serving.privateKey().toString(),
                    TRAINER_CERT, trainer.certificate().toString(), TRAINER_KEY, trainer.privateKey().toString(),
                    STRANGER_CERT, stranger.certificate().toString(), STRANGER_KEY, stranger.privateKey().toString()));
            storeTls = GrpcTls.of(trainer.certificate(), trainer.privateKey(), trust, Optional.empty()).lease();
            pki.putAll(Map.of(SERVING_MOUNT, mount.certificate().getParent().toString(),
                    RENEWED_CERT, renewed.certificate().toString(), RENEWED_KEY, renewed.privateKey().toString()));
            store = CheckpointStoreStub.serve(storeTls.serverCredentials(), pki.get(TOKEN));
            return Map.of("livedpo.grpc.tls.enabled", "true",
                    "livedpo.grpc.tls.cert", mount.certificate().toString(),
                    "livedpo.grpc.tls.key", mount.privateKey().toString(),
                    "livedpo.grpc.tls.trust", mount.trust().toString(),
                    "livedpo.grpc.tls.refresh-period", "100ms",
                    "livedpo.serving.control.token", pki.get(TOKEN),
                    "livedpo.serving.control.signing-key", pki.get(SIGNING_KEY),
                    "livedpo.serving.catch-up.checkpoint-store", "localhost:" + store.getPort(),
                    "livedpo.serving.catch-up.poll-interval", "200ms");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(records, (Field f) -> f.getName().equals("capturedLogs")
                && f.getType().getName().equals(Queue.class.getName()));
        injector.injectIntoFields(pki, (Field f) -> f.getName().equals("pki")
                && f.getType().getName().equals(Map.class.getName()));
    }

    @Override
    public void stop() {
        if (store != null) {
            store.shutdownNow();
        }
        if (storeTls != null) {
            storeTls.close();
        }
        capture.close();
    }
}
