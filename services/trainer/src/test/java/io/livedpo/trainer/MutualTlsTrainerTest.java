package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.Topics;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.FetchRequest;
import io.livedpo.proto.FetchResponse;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.livedpo.trainer.grpc.StoreServer;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.transfer.ControlToken;
import io.livedpo.transfer.GrpcTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The trainer with {@code livedpo.grpc.tls.enabled}: it pushes to a replica that requires mutual TLS, and its
 * CheckpointStore serves a fetch only to a caller presenting a certificate of the trusted CA and the control token;
 * no certificate, one from another CA, or plaintext is refused in the handshake. No log record holds the token, the
 * HMAC key or a private key.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = MutualTlsReplicaResource.class, restrictToAnnotatedClass = true)
class MutualTlsTrainerTest {

    /** A policy of its own, so its announcements and pairs are told apart from other tests' on the shared broker. */
    private static final String POLICY = "tls";

    @Inject
    StoreServer storeServer;

    @Inject
    CheckpointStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void pushesAndFetchesGoOverMutualTlsOnlyAndNoSecretIsLogged() throws Exception {
        List<PreferencePair> pairs = Pairs.pairs(POLICY, 0, 8);
        Pairs.send(bootstrap, Topics.PAIRS, pairs);
        Await.until(Duration.ofSeconds(90), "a verified push over mutual TLS",
                () -> MutualTlsReplicaResource.replica.pushes().stream().anyMatch(p -> p.verified()
                        && p.header().getVersion() == store.newest(POLICY).orElse(-1)));
        long newest = store.newest(POLICY).orElseThrow();

        String target = "localhost:" + storeServer.port();
        File trust = MutualTlsReplicaResource.trust.toFile();
        GrpcTls serving = GrpcTls.of(MutualTlsReplicaResource.serving.certificate(),
                MutualTlsReplicaResource.serving.privateKey(), MutualTlsReplicaResource.trust, Optional.empty());
        try (GrpcTls.Lease lease = serving.lease()) {
            CheckpointHeader fetched = fetch(lease.channel(target), MutualTlsReplicaResource.TOKEN);
            assertEquals(newest, fetched.getVersion());
            assertEquals(Status.Code.UNAUTHENTICATED, refusal(lease.channel(target), "wrong-token"),
                    "the token is still required under mutual TLS");
        }

        Map<String, ChannelCredentials> refused = new LinkedHashMap<>();
        refused.put("no client certificate", TlsChannelCredentials.newBuilder().trustManager(trust).build());
        refused.put("a certificate of an untrusted CA", TlsChannelCredentials.newBuilder()
                .keyManager(MutualTlsReplicaResource.stranger.certificate().toFile(),
                        MutualTlsReplicaResource.stranger.privateKey().toFile())
                .trustManager(trust).build());
        refused.put("plaintext", InsecureChannelCredentials.create());
        refused.forEach((name, credentials) -> assertEquals(Status.Code.UNAVAILABLE,
                refusal(Grpc.newChannelBuilder(target, credentials), MutualTlsReplicaResource.TOKEN), name));

        List<String> secrets = new ArrayList<>(List.of(MutualTlsReplicaResource.TOKEN,
                MutualTlsReplicaResource.SIGNING_KEY));
        for (Path key : List.of(MutualTlsReplicaResource.trainer.privateKey(),
                MutualTlsReplicaResource.serving.privateKey(), MutualTlsReplicaResource.stranger.privateKey())) {
            Files.readString(key).lines().filter(l -> !l.startsWith("-----")).forEach(secrets::add);
        }
        assertTrue(MutualTlsReplicaResource.LOGS.stream().anyMatch(r -> r.contains("CheckpointStore listening")
                && r.contains("mTLS")), "the capture saw start-up");
        for (String record : MutualTlsReplicaResource.LOGS) {
            assertFalse(record.contains("PRIVATE KEY"), "a private key was logged: " + record);
            for (String secret : secrets) {
                assertFalse(record.contains(secret), "a secret was logged: " + record);
            }
        }
    }

    private static CheckpointHeader fetch(ManagedChannelBuilder<?> builder, String token) {
        ManagedChannel channel = builder.build();
        try {
            Iterator<FetchResponse> stream = CheckpointStoreGrpc.newBlockingStub(channel)
                    .withInterceptors(ControlToken.attach(Optional.ofNullable(token)))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .fetch(FetchRequest.newBuilder().setPolicy(POLICY).build());
            CheckpointHeader header = stream.next().getHeader();
            stream.forEachRemaining(r -> {
            });
            return header;
        } finally {
            channel.shutdownNow();
        }
    }

    private static Status.Code refusal(ManagedChannelBuilder<?> builder, String token) {
        return assertThrows(StatusRuntimeException.class, () -> fetch(builder, token)).getStatus().getCode();
    }
}
