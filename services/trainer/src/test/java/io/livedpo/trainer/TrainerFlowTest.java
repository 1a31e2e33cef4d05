package io.livedpo.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.DeadLetterHeaders;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.Topics;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.checkpoint.ModelFingerprint;
import io.livedpo.common.Sha256;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.FetchRequest;
import io.livedpo.proto.FetchResponse;
import io.livedpo.proto.LatestRequest;
import io.livedpo.trainer.grpc.StoreServer;
import io.livedpo.trainer.service.CheckpointCoverage;
import io.livedpo.trainer.service.CheckpointStore;
import io.livedpo.trainer.service.Partition;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.livedpo.transfer.ArchiveSignature;
import io.livedpo.transfer.ControlToken;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The whole loop on a real broker and real gRPC: pairs in, checkpoint written, pushed into a replica, fetchable. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = ReplicaResource.class, restrictToAnnotatedClass = true)
class TrainerFlowTest {

    private static final String POLICY = "default";

    @Inject
    StoreServer storeServer;

    @Inject
    CheckpointStore store;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void pairsBecomeACheckpointThatIsPushedVerifiedAnnouncedAndFetchable() throws Exception {
        List<PreferencePair> pairs = Pairs.pairs(POLICY, 0, 8);
        Set<String> ids = pairs.stream().map(PreferencePair::pairId).collect(Collectors.toSet());
        long sent = System.nanoTime();
        Pairs.send(bootstrap, Topics.PAIRS, pairs);
        Pairs.sendRaw(bootstrap, Topics.PAIRS, POLICY, "{not a pair");

        Await.until(Duration.ofSeconds(90), "a verified push covering all 8 pairs",
                () -> trainedIds().containsAll(ids) && replica().stream().anyMatch(p -> p.verified()
                        && p.header().getVersion() == store.newest(POLICY).orElse(-1)));
        long newest = store.newest(POLICY).orElseThrow();
        RecordingReplica.Push push = replica().stream().filter(p -> p.header().getVersion() == newest).findFirst()
                .orElseThrow();
        double pairToActive = Duration.between(Instant.now().minusNanos(System.nanoTime() - sent), push.at())
                .toMillis() / 1000.0;

        // The checkpoint: every pair exactly once, offsets and the newest feedback recorded, base model pinned.
        List<String> trained = store.versions(POLICY).stream().flatMap(v -> coverage(v).pairIds().stream()).toList();
        assertEquals(ids, new HashSet<>(trained));
        assertEquals(trained.size(), ids.size(), "no pair trained twice: " + trained);
        CheckpointMetadata meta = store.metadata(POLICY, newest);
        CheckpointCoverage coverage = CheckpointCoverage.fromAttributes(meta.attributes());
        assertEquals(ModelFingerprint.of(Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2")),
                meta.baseModel());
        assertTrue(coverage.coveredThrough().get(new Partition(Topics.PAIRS, 0)) >= 7, coverage.toString());
        assertEquals(pairs.get(7).newestFeedbackAt(), coverage.newestFeedbackAt());
        assertEquals(newest - 1, meta.parentVersion());

        // The push carried the store's exact archive, signed.
        assertEquals(Sha256.hex(store.pack(POLICY, newest).bytes()), push.header().getSha256());

        // The poison record went to the DLQ byte for byte, with its reason.
        var dead = Pairs.await(bootstrap, Topics.deadLetter(Topics.PAIRS),
                r -> new String(r.value(), StandardCharsets.UTF_8).equals("{not a pair"));
        assertEquals("malformed", new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value(),
                StandardCharsets.UTF_8));

        var announced = Pairs.await(bootstrap, Topics.CHECKPOINTS, r -> POLICY.equals(new String(r.key(),
                StandardCharsets.UTF_8)) && Pairs.decode(CheckpointAnnouncement.class, r.value()).version() == newest);
        assertEquals(push.header().getSha256(), Pairs.decode(CheckpointAnnouncement.class, announced.value()).sha256());

        assertFetchMatchesTheStore(newest);

        Await.until(Duration.ofSeconds(10), "the activation latency metric",
                () -> meters.find("livedpo.feedback.to.serving").timer() != null
                        && meters.find("livedpo.feedback.to.serving").timer().count() > 0);
        management().get("/q/metrics").then().statusCode(200)
                .body(containsString("livedpo_trainer_steps_total"))
                .body(containsString("livedpo_trainer_pairs_total"))
                .body(containsString("livedpo_trainer_kl"))
                .body(containsString("livedpo_trainer_checkpoint_age_seconds"))
                .body(containsString("livedpo_trainer_pushes_total"))
                .body(containsString("livedpo_feedback_to_serving_seconds_bucket"));
        management().get("/q/health/ready").then().statusCode(200);

        // Warm: the topics exist and the code is JIT-compiled; how long from a pair's send to the replica's ack.
        List<PreferencePair> more = Pairs.pairs(POLICY, 8, 12);
        Instant warmSentAt = Instant.now();
        Pairs.send(bootstrap, Topics.PAIRS, more);
        Await.until(Duration.ofSeconds(60), "a verified push covering the 4 new pairs",
                () -> trainedIds().containsAll(more.stream().map(PreferencePair::pairId).toList())
                        && replica().stream().anyMatch(p -> p.verified()
                        && p.header().getVersion() == store.newest(POLICY).orElse(-1)));
        long last = store.newest(POLICY).orElseThrow();
        Instant warmAck = replica().stream().filter(p -> p.header().getVersion() == last).findFirst().orElseThrow()
                .at();
        Timer steps = meters.find("livedpo.trainer.step.duration").timer();
        double trainedPairs = meters.find("livedpo.trainer.pairs").tag("outcome", "trained").counter().count();
        // Pushes, fetches and refused fetches above all handled the token and the HMAC key: none may be in a log.
        assertTrue(ReplicaResource.LOGS.stream().anyMatch(r -> r.contains(POLICY)), "the capture saw the trainer");
        for (String record : ReplicaResource.LOGS) {
            assertFalse(record.contains(ReplicaResource.TOKEN), "the control token was logged: " + record);
            assertFalse(record.contains(ReplicaResource.SIGNING_KEY), "the signing key was logged: " + record);
        }
        System.out.printf("PERF steps=%d pairs=%.0f mean_step_s=%.4f pairs_per_s_of_step_time=%.1f "
                        + "pair_to_active_cold_s=%.3f pair_to_active_warm_s=%.3f%n",
                steps.count(), trainedPairs, steps.mean(TimeUnit.SECONDS),
                trainedPairs / steps.totalTime(TimeUnit.SECONDS), pairToActive,
                Duration.between(warmSentAt, warmAck).toMillis() / 1000.0);
    }

    private void assertFetchMatchesTheStore(long newest) throws IOException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", storeServer.port()).usePlaintext()
                .build();
        try {
            CheckpointStoreGrpc.CheckpointStoreBlockingStub anonymous = CheckpointStoreGrpc.newBlockingStub(channel);
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> anonymous.fetch(
                    FetchRequest.newBuilder().setPolicy(POLICY).build()).hasNext());
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode(), "a fetch without the token");
            StatusRuntimeException wrong = assertThrows(StatusRuntimeException.class, () -> anonymous
                    .withInterceptors(ControlToken.attach(Optional.of("wrong-token")))
                    .latest(LatestRequest.newBuilder().setPolicy(POLICY).build()));
            assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode(), "a call with a wrong token");
            CheckpointStoreGrpc.CheckpointStoreBlockingStub stub = anonymous
                    .withInterceptors(ControlToken.attach(Optional.of(ReplicaResource.TOKEN)));
            Iterator<FetchResponse> stream = stub.fetch(FetchRequest.newBuilder().setPolicy(POLICY).build());
            CheckpointHeader header = stream.next().getHeader();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            stream.forEachRemaining(r -> bytes.writeBytes(r.getChunk().toByteArray()));
            assertEquals(newest, header.getVersion());
            assertEquals(header.getSizeBytes(), bytes.size());
            assertEquals(header.getSha256(), Sha256.hex(bytes.toByteArray()));
            assertArrayEquals(new ArchiveSignature(Optional.of(ReplicaResource.SIGNING_KEY)).sign(bytes.toByteArray()),
                    header.getSignature().toByteArray());
            assertEquals(header, stub.latest(LatestRequest.newBuilder().setPolicy(POLICY).build()));
            StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                    () -> stub.latest(LatestRequest.newBuilder().setPolicy("nobody").build()));
            assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
    }

    private static List<RecordingReplica.Push> replica() {
        return ReplicaResource.replica.pushes();
    }

    private Set<String> trainedIds() {
        return store.versions(POLICY).stream().flatMap(v -> coverage(v).pairIds().stream())
                .collect(Collectors.toSet());
    }

    private CheckpointCoverage coverage(long version) {
        try {
            return CheckpointCoverage.fromAttributes(store.metadata(POLICY, version).attributes());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Health and metrics are on the management interface: its port, which Quarkus picked for this test run. */
    private static io.restassured.specification.RequestSpecification management() {
        return given().port(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.management.test-port", Integer.class));
    }
}
