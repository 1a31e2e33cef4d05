package io.livedpo.trainer;

import static io.livedpo.testing.tls.SecretMount.bundle;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livedpo.events.Topics;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.LatestRequest;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.livedpo.testing.tls.PresentedCertificate;
import io.livedpo.testing.tls.SecretMount;
import io.livedpo.testing.tls.TestPki;
import io.livedpo.trainer.grpc.StoreServer;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.transfer.ControlToken;
import io.livedpo.transfer.GrpcTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Certificates renewed under a running trainer app, the way cert-manager renews a mounted Secret, onto a new CA: the
 * trainer's CheckpointStore presents the renewed certificate to the next handshake and accepts callers of the new CA,
 * and a replica that restarts trusting the new CA alone gets verified pushes whose TLS client certificate is the
 * renewed one — all without restarting the trainer. The reload is on the metrics page; no key is ever logged.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = RotatingTlsReplicaResource.class, restrictToAnnotatedClass = true)
class CertificateRotationTrainerTest {

    /** A policy of its own, so its announcements and pairs are told apart from other tests' on the shared broker. */
    private static final String POLICY = "rotation";

    @Inject
    StoreServer storeServer;

    @Inject
    CheckpointStore store;

    @Inject
    GrpcTls tls;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void renewedCertificatesReachTheStoreAndThePushesWithoutARestart() throws Exception {
        TestPki.Authority ca1 = RotatingTlsReplicaResource.ca1;
        TestPki.Authority ca2 = RotatingTlsReplicaResource.ca2;
        String target = "localhost:" + storeServer.port();
        // A caller with a CA 1 certificate that already trusts both CAs, as callers are moved before a CA change.
        GrpcTls ca1Client = client(ca1, bundle(ca1, ca2));
        GrpcTls ca2Client = client(ca2, bundle(ca2));

        Pairs.send(bootstrap, Topics.PAIRS, Pairs.pairs(POLICY, 0, 8));
        RecordingReplica.Push first = verifiedPushOfNewest(RotatingTlsReplicaResource.replica);
        assertEquals(RotatingTlsReplicaResource.trainerA.certificate(), first.caller().orElseThrow(),
                "the trainer pushed with its CA 1 certificate");
        assertEquals(RotatingTlsReplicaResource.trainerA.certificate(), presented(ca1Client, target));
        assertEquals(Status.Code.UNAVAILABLE, refusal(ca2Client, target), "CA 2 is not trusted yet, either way");

        // Renewal onto CA 2; the bundle holds both CAs while replicas move over.
        TestPki.Issued trainerB = RotatingTlsReplicaResource.issue(ca2, "trainer B");
        RotatingTlsReplicaResource.trainerSecret.write(trainerB, bundle(ca1, ca2));
        Await.until(Duration.ofSeconds(30), "the store presenting the renewed certificate to a CA 2 caller",
                () -> trainerB.certificate().equals(presentedOrNull(ca2Client, target)));
        assertEquals(trainerB.certificate(), presented(ca1Client, target), "a CA 1 caller: still trusted by the store");
        assertEquals(1, tls.reloads());
        assertEquals(0, tls.reloadFailures());

        // A replica restarts where the trainer's target points, as a CA 2 replica trusting CA 2 alone: the trainer's
        // next handshake to it must present the renewed certificate, or the push is refused.
        RecordingReplica old = RotatingTlsReplicaResource.replica;
        int port = old.port();
        old.close();
        RecordingReplica renewed = RotatingTlsReplicaResource.replica(ca2, bundle(ca2), port);
        RotatingTlsReplicaResource.replica = renewed;
        Pairs.send(bootstrap, Topics.PAIRS, Pairs.pairs(POLICY, 8, 16));
        RecordingReplica.Push next = verifiedPushOfNewest(renewed);
        assertEquals(trainerB.certificate(), next.caller().orElseThrow());

        given().port(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class))
                .get("/q/metrics").then().statusCode(200)
                .body(containsString("livedpo_grpc_tls_reloads_total{outcome=\"ok\"} 1.0"))
                .body(containsString("livedpo_grpc_tls_reloads_total{outcome=\"failed\"} 0.0"));
        for (String record : RotatingTlsReplicaResource.LOGS) {
            assertFalse(record.contains("PRIVATE KEY"), record);
            for (String key : RotatingTlsReplicaResource.KEYS) {
                key.lines().filter(l -> !l.startsWith("-----")).forEach(line -> assertFalse(record.contains(line),
                        "a key line was logged: " + record));
            }
        }
    }

    /** Waits for a verified push of this policy's newest stored version to {@code replica}, and returns it. */
    private RecordingReplica.Push verifiedPushOfNewest(RecordingReplica replica) {
        AtomicReference<RecordingReplica.Push> found = new AtomicReference<>();
        Await.until(Duration.ofSeconds(120), "a verified push of the newest version", () -> {
            long newest = store.newest(POLICY).orElse(-1);
            replica.pushes().stream().filter(p -> p.verified() && p.header().getPolicy().equals(POLICY)
                    && p.header().getVersion() == newest).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    /** A caller holding a certificate of {@code ca}, trusting {@code trustPem}. */
    private static GrpcTls client(TestPki.Authority ca, String trustPem) {
        SecretMount mount = SecretMount.at(RotatingTlsReplicaResource.dir.resolve("client-" + UUID.randomUUID()))
                .write(RotatingTlsReplicaResource.issue(ca, "caller"), trustPem);
        return GrpcTls.of(mount.certificate(), mount.privateKey(), mount.trust(), Optional.empty());
    }

    /** The certificate the store presented on a fresh connection's handshake, read from the caller's TLS session. */
    private static X509Certificate presented(GrpcTls tls, String target) {
        PresentedCertificate presented = new PresentedCertificate();
        try (GrpcTls.Lease lease = tls.lease()) {
            ManagedChannel channel = lease.channel(target).intercept(presented).build();
            try {
                assertEquals(POLICY, latest(channel).getPolicy());
            } finally {
                channel.shutdownNow();
            }
        }
        return presented.get();
    }

    private static X509Certificate presentedOrNull(GrpcTls tls, String target) {
        try {
            return presented(tls, target);
        } catch (StatusRuntimeException e) {
            return null;
        }
    }

    private static Status.Code refusal(GrpcTls tls, String target) {
        return assertThrows(StatusRuntimeException.class, () -> presented(tls, target)).getStatus().getCode();
    }

    private static CheckpointHeader latest(Channel channel) {
        return CheckpointStoreGrpc.newBlockingStub(channel)
                .withInterceptors(ControlToken.attach(Optional.of(RotatingTlsReplicaResource.TOKEN)))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .latest(LatestRequest.newBuilder().setPolicy(POLICY).build());
    }
}
