package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.Topics;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.serving.grpc.ControlServer;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.livedpo.testing.tls.SecretMount;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.GrpcTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving with {@code livedpo.grpc.tls.enabled}: ModelControl installs a push only from a caller presenting a
 * certificate of the trusted CA and the control token; a caller without a certificate, with one from another CA, or in
 * plaintext is refused in the handshake and nothing is installed. Catch-up fetches from a store that requires mutual
 * TLS. Serving's certificate, mounted as Kubernetes mounts a Secret, is renewed in place: a broken renewal is refused
 * and counted, the good one is presented on new handshakes without a restart. Through all of it (and start-up) no
 * log record holds the token, the HMAC key or any private key's PEM text.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = MutualTlsPki.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MutualTlsServingTest {

    /** Injected by {@link MutualTlsPki}. */
    Queue<String> capturedLogs;
    /** File paths and secrets; injected by {@link MutualTlsPki}. */
    Map<String, String> pki;

    @Inject
    ControlServer controlServer;

    @TempDir
    Path work;

    @Test
    @Order(1)
    void onlyATrustedCertificateWithTheTokenInstallsAPush() throws Exception {
        String token = pki.get(MutualTlsPki.TOKEN);
        String target = "localhost:" + controlServer.port();
        TestClients.Archive archive = TestClients.checkpoint(work, "other", 1, TestClients.baseFingerprint(), 0.3f);
        byte[] signature = TestClients.sign(archive.bytes(), pki.get(MutualTlsPki.SIGNING_KEY));
        File trust = new File(pki.get(MutualTlsPki.TRUST));

        Map<String, ChannelCredentials> refused = new LinkedHashMap<>();
        refused.put("no client certificate", TlsChannelCredentials.newBuilder().trustManager(trust).build());
        refused.put("a certificate of an untrusted CA", TlsChannelCredentials.newBuilder()
                .keyManager(new File(pki.get(MutualTlsPki.STRANGER_CERT)), new File(pki.get(MutualTlsPki.STRANGER_KEY)))
                .trustManager(trust).build());
        refused.put("plaintext", InsecureChannelCredentials.create());
        for (Map.Entry<String, ChannelCredentials> client : refused.entrySet()) {
            ManagedChannel channel = Grpc.newChannelBuilder(target, client.getValue()).build();
            try {
                assertEquals(Status.Code.UNAVAILABLE, failure(push(channel, token, archive, signature)),
                        client.getKey());
            } finally {
                channel.shutdownNow();
            }
        }

        GrpcTls trainer = GrpcTls.of(Path.of(pki.get(MutualTlsPki.TRAINER_CERT)),
                Path.of(pki.get(MutualTlsPki.TRAINER_KEY)), trust.toPath(), Optional.empty());
        GrpcTls.Lease lease = trainer.lease();
        ManagedChannel channel = lease.channel(target).build();
        try {
            assertEquals(Status.Code.UNAUTHENTICATED, failure(push(channel, token + "x", archive, signature)),
                    "a wrong token over mutual TLS");
            assertEquals(Status.Code.UNAUTHENTICATED, failure(push(channel, null, archive, signature)),
                    "no token over mutual TLS");
            assertEquals("0", version("other"), "a refused push was installed");

            PushCheckpointResponse ok = push(channel, token, archive, signature).get(60, TimeUnit.SECONDS);
            assertEquals(Outcome.ACTIVATED, ok.getOutcome());
            assertEquals("1", version("other"));
        } finally {
            channel.shutdownNow();
            lease.close();
        }
    }

    @Test
    @Order(2)
    void catchUpFetchesFromAStoreThatRequiresMutualTls() throws Exception {
        String base = TestClients.baseFingerprint();
        TestClients.Archive v2 = TestClients.checkpoint(work, "default", 2, base, 0.3f);
        CheckpointStoreStub.ARCHIVES.put("default@2", new CheckpointStoreStub.Entry(new ArchiveHeader("default", 2,
                1, base, v2.sha256(), v2.bytes().length, TestClients.sign(v2.bytes(),
                pki.get(MutualTlsPki.SIGNING_KEY)), true), v2.bytes()));
        try (KafkaProducer<String, CheckpointAnnouncement> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class)),
                new StringSerializer(), new JsonSerializer<>())) {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, "default", new CheckpointAnnouncement(
                    CheckpointAnnouncement.SCHEMA, "default", 2, 1L, base, v2.sha256(), v2.bytes().length,
                    "grpc://localhost/default/2", 20, Map.of(), Instant.now(), Instant.now())))
                    .get(30, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String version = "0";
        while (System.nanoTime() < deadline && !version.equals("2")) {
            version = version("default");
        }
        assertEquals("2", version, "the replica did not catch up over mutual TLS");
    }

    @Test
    @Order(3)
    void aRenewedCertificateIsServedWithoutARestartAndBrokenFilesAreRefused() throws Exception {
        int port = controlServer.port();
        X509Certificate original = presented(port);
        SecretMount mount = SecretMount.at(Path.of(pki.get(MutualTlsPki.SERVING_MOUNT)));
        String trust = Files.readString(Path.of(pki.get(MutualTlsPki.TRUST)));
        String renewedCert = Files.readString(Path.of(pki.get(MutualTlsPki.RENEWED_CERT)));
        String renewedKey = Files.readString(Path.of(pki.get(MutualTlsPki.RENEWED_KEY)));

        // A renewal cut short (the certificate half written): refused, counted, and the certificate in use stays.
        mount.write(renewedCert.substring(0, renewedCert.length() / 2), renewedKey, trust);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(1.0,
                metric("livedpo_grpc_tls_reloads_total{outcome=\"failed\"}"), tlsMetrics()));
        assertEquals(original, presented(port), "the certificate in use was kept");

        mount.write(renewedCert, renewedKey, trust);
        await().atMost(Duration.ofSeconds(30)).until(() -> !presented(port).equals(original));
        assertEquals("CN=serving renewed", presented(port).getSubjectX500Principal().getName());
        assertEquals(1.0, metric("livedpo_grpc_tls_reloads_total{outcome=\"ok\"}"));
        assertEquals(presented(port).getNotAfter().getTime() / 1000.0,
                metric("livedpo_grpc_tls_certificate_expiry_seconds"), 1.0);
        assertTrue(capturedLogs.stream().anyMatch(r -> r.contains("cannot be used") && r.contains(mount.certificate()
                .toString())), "the refused renewal was logged with its path");
    }

    @Test
    @Order(4)
    void noLogRecordHoldsTheTokenTheHmacKeyOrAnyPrivateKey() throws Exception {
        assertNotNull(capturedLogs, "MutualTlsPki did not inject its records");
        List<String> secrets = new ArrayList<>(List.of(pki.get(MutualTlsPki.TOKEN),
                pki.get(MutualTlsPki.SIGNING_KEY)));
        for (String key : List.of(MutualTlsPki.SERVING_KEY, MutualTlsPki.RENEWED_KEY, MutualTlsPki.TRAINER_KEY,
                MutualTlsPki.STRANGER_KEY)) {
            // Every base64 line of the PEM body: a key logged whole, or in part, is found.
            Files.readString(Path.of(pki.get(key))).lines().filter(l -> !l.startsWith("-----"))
                    .forEach(secrets::add);
        }
        assertTrue(capturedLogs.stream().anyMatch(r -> r.contains("ModelControl listening") && r.contains("mTLS")),
                "the capture saw start-up");
        assertTrue(capturedLogs.stream().anyMatch(r -> r.contains("caught up")), "the capture saw the catch-up");
        for (String record : capturedLogs) {
            assertFalse(record.contains("PRIVATE KEY"), "a private key was logged: " + record);
            for (String secret : secrets) {
                assertFalse(record.contains(secret), "a secret was logged: " + record);
            }
        }
    }

    /**
     * The certificate ModelControl presents on a new handshake, seen from a JDK TLS client holding the trainer's
     * certificate (the server requires one).
     */
    private X509Certificate presented(int port) throws Exception {
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        keys.updateIdentityCredentials(new File(pki.get(MutualTlsPki.TRAINER_CERT)),
                new File(pki.get(MutualTlsPki.TRAINER_KEY)));
        AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder().build();
        trust.updateTrustCredentials(new File(pki.get(MutualTlsPki.TRUST)));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static double metric(String series) {
        for (String line : TestClients.management().accept("text/plain").get("/q/metrics").asString().split("\n")) {
            // The simpleclient text format ends labels with a comma: {outcome="ok",}
            if (line.replace(",}", "}").startsWith(series + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static String tlsMetrics() {
        return String.join("\n", TestClients.management().accept("text/plain").get("/q/metrics").asString().lines()
                .filter(l -> l.contains("grpc_tls")).toList());
    }

    private static String version(String policy) {
        return given().get("/v1/models").then().statusCode(200).extract()
                .path("data.find { it.id == '" + policy + "' }.version");
    }

    private static CompletableFuture<PushCheckpointResponse> push(ManagedChannel channel, String token,
                                                                  TestClients.Archive archive, byte[] signature) {
        return TestClients.push(TestClients.control(channel, token).withDeadlineAfter(60, TimeUnit.SECONDS), "other",
                1, archive, archive.sha256(), signature, archive.bytes().length, false);
    }

    private static Status.Code failure(CompletableFuture<PushCheckpointResponse> push) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> push.get(60, TimeUnit.SECONDS));
        return Status.fromThrowable(e.getCause()).getCode();
    }
}
