package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.ModelStatus;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.proto.RollbackRequest;
import io.livedpo.proto.StatusRequest;
import io.livedpo.proto.StatusResponse;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.livedpo.transfer.ControlToken;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** ModelControl over real gRPC: verified pushes, rejected bad pushes, hot-swap under load, rollback. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelControlTest extends LoopbackChannelTest {

    @Inject
    PolicyRegistry registry;

    @TempDir
    static Path work;

    private long activeVersion(String policy) {
        return Long.parseLong(given().get("/v1/models").then().statusCode(200).extract()
                .path("data.find { it.id == '" + policy + "' }.version"));
    }

    private static PushCheckpointResponse await(CompletableFuture<PushCheckpointResponse> push) throws Exception {
        return push.get(60, TimeUnit.SECONDS);
    }

    private static Status.Code failure(CompletableFuture<PushCheckpointResponse> push) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> push.get(60, TimeUnit.SECONDS));
        return Status.fromThrowable(e.getCause()).getCode();
    }

    /** The public port carries chat only: a NetworkPolicy can keep ModelControl's port for trainers. */
    @Test
    @Order(0)
    void modelControlIsOnItsOwnPortAndNotOnThePublicOne() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ModelControlGrpc
                .newBlockingStub(channel).withInterceptors(ControlToken.attach(Optional.of(TestClients.TOKEN)))
                .status(StatusRequest.newBuilder().build()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        StatusResponse onControlPort = ModelControlGrpc.newBlockingStub(controlChannel)
                .withInterceptors(ControlToken.attach(Optional.of(TestClients.TOKEN)))
                .status(StatusRequest.newBuilder().build());
        assertTrue(onControlPort.getPoliciesCount() > 0, onControlPort.toString());
    }

    @Test
    @Order(1)
    void everyBadPushIsRejectedAndTheActiveVersionStays() throws Exception {
        String base = TestClients.baseFingerprint();
        TestClients.Archive good = TestClients.checkpoint(work, "other", 1, base, 0.3f);
        byte[] signature = TestClients.sign(good.bytes(), TestClients.SIGNING_KEY);
        ModelControlGrpc.ModelControlStub control = TestClients.control(controlChannel, TestClients.TOKEN);
        int n = good.bytes().length;

        assertEquals(Status.Code.UNAUTHENTICATED, failure(TestClients.push(TestClients.control(controlChannel, null),
                "other", 1, good, good.sha256(), signature, n, false)), "no token");
        assertEquals(Status.Code.UNAUTHENTICATED, failure(TestClients.push(TestClients.control(controlChannel, "wrong"),
                "other", 1, good, good.sha256(), signature, n, false)), "wrong token");
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(TestClients.push(control, "other", 1, good,
                "0".repeat(64), signature, n, false)), "wrong hash");
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(TestClients.push(control, "other", 1, good,
                good.sha256(), TestClients.sign(good.bytes(), "another-key"), n, false)), "bad signature");
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(TestClients.push(control, "other", 1, good,
                good.sha256(), signature, n / 2, false)), "truncated stream");
        TestClients.push(control, "other", 1, good, good.sha256(), signature, n / 2, true);
        TestClients.Archive wrongBase = TestClients.checkpoint(work, "other", 1, "sha256:" + "1".repeat(64), 0.3f);
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(TestClients.push(control, "other", 1, wrongBase,
                wrongBase.sha256(), TestClients.sign(wrongBase.bytes(), TestClients.SIGNING_KEY),
                wrongBase.bytes().length, false)), "wrong base model");
        assertEquals(0, activeVersion("other"));

        PushCheckpointResponse ok = await(TestClients.push(control, "other", 1, good, good.sha256(), signature, n,
                false));
        assertEquals(1, ok.getActiveVersion());
        assertEquals(Outcome.ACTIVATED, ok.getOutcome());
        assertEquals(1, activeVersion("other"));
        given().contentType("application/json").body(Map.of("model", "other", "messages",
                List.of(Map.of("role", "user", "content", "hi")))).post("/v1/chat/completions")
                .then().statusCode(200).body("model", org.hamcrest.Matchers.equalTo("other@1"));

        ModelStatus rolledBack = call(obs -> control.rollback(RollbackRequest.newBuilder().setPolicy("other")
                .setReason("test").build(), obs));
        assertEquals(0, rolledBack.getActiveVersion());
        assertEquals(0, activeVersion("other"));
        // The rolled-back version is retired: once the chat that ran on it has closed its lease, nothing holds it.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.loadedAdapters() == 0);
        StatusResponse status = call(obs -> control.status(StatusRequest.newBuilder().build(), obs));
        assertEquals(2, status.getPoliciesCount());
        TestClients.management().get("/q/metrics").then().body(org.hamcrest.Matchers.containsString(
                "livedpo_serving_model_swaps_total{outcome=\"sha256\""));
    }

    @Test
    @Order(2)
    void hotSwapUnderLoadDropsNothingAndSwitchesEachClientOnce() throws Exception {
        String base = TestClients.baseFingerprint();
        ModelControlGrpc.ModelControlStub control = TestClients.control(controlChannel, TestClients.TOKEN);
        long before = activeVersion("default");
        long next = before + 1;
        // Over 2 MiB: pushed in several 1 MiB chunks, as a real adapter of a larger model is.
        TestClients.Archive archive = TestClients.checkpoint(work, "default", next, base, 0.3f, 2_500_000);
        assertTrue(archive.bytes().length > 2 << 20);
        int clients = 6;
        AtomicBoolean pushed = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<List<Long>> seen = new ArrayList<>();
        java.util.concurrent.CountDownLatch warmedUp = new java.util.concurrent.CountDownLatch(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<Long> versions = new ArrayList<>();
            seen.add(versions);
            running.add(CompletableFuture.runAsync(() -> {
                // Keep asking until a few answers have come from the new version.
                int afterSwap = 0;
                while (afterSwap < 3) {
                    var r = given().contentType("application/json").body(Map.of("messages",
                            List.of(Map.of("role", "user", "content", "What is 3 + 5?")), "max_tokens", 4))
                            .post("/v1/chat/completions");
                    if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.asString());
                        return;
                    }
                    long v = ((Number) r.path("choices[0].model_version")).longValue();
                    versions.add(v);
                    warmedUp.countDown();
                    if (pushed.get() && v == next) {
                        afterSwap++;
                    }
                }
            }, pool));
        }
        // Every client is mid-stream on the old version before the push starts.
        assertTrue(warmedUp.await(60, TimeUnit.SECONDS), "clients did not get going");
        PushCheckpointResponse ok = await(TestClients.push(control, "default", next, archive, archive.sha256(),
                TestClients.sign(archive.bytes(), TestClients.SIGNING_KEY), archive.bytes().length, false));
        pushed.set(true);
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(next, ok.getActiveVersion());
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
        for (List<Long> versions : seen) {
            assertTrue(versions.stream().allMatch(v -> v == before || v == next), versions.toString());
            int switches = 0;
            for (int i = 1; i < versions.size(); i++) {
                assertTrue(versions.get(i) >= versions.get(i - 1), "went back: " + versions);
                switches += versions.get(i) != versions.get(i - 1).longValue() ? 1 : 0;
            }
            assertTrue(switches <= 1, versions.toString());
            assertEquals(before, versions.get(0), "each client started on the old version");
            assertEquals(next, versions.get(versions.size() - 1));
        }
    }

    private interface Call<T> {
        void run(StreamObserver<T> observer);
    }

    private static <T> T call(Call<T> call) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        call.run(TestClients.completing(result));
        return result.get(30, TimeUnit.SECONDS);
    }
}
