package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.livedpo.events.CanaryArm;
import io.livedpo.events.CanaryDecision;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.TopicContract;
import io.livedpo.events.Topics;
import io.livedpo.proto.ChatChunk;
import io.livedpo.proto.ChatMessage;
import io.livedpo.proto.ChatRequest;
import io.livedpo.proto.ChatResponse;
import io.livedpo.proto.ChatServiceGrpc;
import io.livedpo.proto.ModelStatus;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.proto.StatusRequest;
import io.livedpo.proto.StatusResponse;
import io.livedpo.serving.service.ModelName;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version pinning and the live canary's serving side over real HTTP and gRPC, with a real broker: a pinned version is
 * served exactly or refused with the loaded ones; a canary shares traffic with its parent, tags its responses, and
 * is promoted or rolled back by a decision on the topic, with no request failing.
 */
@QuarkusTest
@TestProfile(LiveCanaryServingTest.Trial.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveCanaryServingTest extends LoopbackChannelTest {

    /** Its own policy, and an even split so both arms show up in a few requests. */
    public static class Trial implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("livedpo.serving.policies", "default,trial", "livedpo.serving.canary.share", "0.5");
        }
    }

    @Inject
    PolicyRegistry registry;

    @TempDir
    static Path work;

    private static Map<String, Object> chat(String model) {
        return Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "What is 2 + 2?")),
                "max_tokens", 4, "seed", 3);
    }

    private static Response post(Map<String, Object> body) {
        return given().contentType("application/json").body(body).post("/v1/chat/completions");
    }

    @Test
    @Order(1)
    void aPinnedVersionIsServedExactlyAndAnUnloadedOneIsRefusedWithTheLoadedOnes() throws Exception {
        Response ok = post(chat("trial@0"));
        ok.then().statusCode(200).header(ModelName.HEADER, "trial@0").body("model", equalTo("trial@0"))
                .body("choices[0].model_version", equalTo(0));
        post(chat("trial")).then().statusCode(200).header(ModelName.HEADER, "trial@0");

        post(chat("trial@9")).then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:livedpo:problem:version_not_loaded")).body("field", equalTo("model"))
                .body("loaded_models", contains("trial@0")).body("detail", containsString("trial@9"));
        post(chat("trial@v1")).then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("model"));
        post(chat("nobody@0")).then().statusCode(404).body("type", equalTo("urn:livedpo:problem:not_found"));

        Map<String, Object> streamed = new java.util.HashMap<>(chat("trial@0"));
        streamed.put("stream", true);
        Response sse = post(streamed);
        sse.then().statusCode(200).header(ModelName.HEADER, "trial@0");
        assertTrue(sse.asString().contains("\"model\":\"trial@0\""), sse.asString());

        AtomicReference<Metadata> headers = new AtomicReference<>();
        ChatServiceGrpc.ChatServiceBlockingStub grpc = ChatServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
        ChatRequest request = ChatRequest.newBuilder().setPolicy("trial@0").setMaxTokens(4).setSeed(3)
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("What is 2 + 2?")).build();
        ChatResponse answer = grpc.complete(request);
        assertEquals("trial@0", answer.getModel());
        assertEquals("trial@0", headers.get().get(Metadata.Key.of(ModelName.HEADER,
                Metadata.ASCII_STRING_MARSHALLER)));
        headers.set(null);
        Iterator<ChatChunk> chunks = grpc.streamComplete(request);
        chunks.forEachRemaining(c -> assertEquals("trial@0", c.getModel()));
        assertEquals("trial@0", headers.get().get(Metadata.Key.of(ModelName.HEADER,
                Metadata.ASCII_STRING_MARSHALLER)));
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> grpc.complete(request.toBuilder().setPolicy("trial@9").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertTrue(missing.getStatus().getDescription().contains("trial@0"), missing.getStatus().getDescription());
    }

    @Test
    @Order(2)
    void aCanarySharesTrafficWithItsParentAndIsPromotedByItsDecision() throws Exception {
        createDecisionTopic();
        String base = TestClients.baseFingerprint();
        PushCheckpointResponse pushed = TestClients.push(TestClients.control(controlChannel, TestClients.TOKEN), "trial", 1,
                TestClients.checkpoint(work, "trial", 1, base, 0.3f), true).get(60, TimeUnit.SECONDS);
        assertEquals(Outcome.CANARY, pushed.getOutcome());
        assertEquals(0, pushed.getActiveVersion());
        assertEquals(1, status("trial").getCandidateVersion());

        Set<String> answeredBy = new HashSet<>();
        String candidateResponse = null;
        for (int i = 0; i < 60 && (answeredBy.size() < 2 || candidateResponse == null); i++) {
            Response r = post(chat("trial"));
            r.then().statusCode(200);
            String model = r.path("model");
            assertEquals(model, r.header(ModelName.HEADER));
            answeredBy.add(model);
            if (model.equals("trial@1")) {
                candidateResponse = r.path("choices[0].response_id");
            }
        }
        assertEquals(Set.of("trial@0", "trial@1"), answeredBy, "both arms serve at a 0.5 share");
        ResponseEvent tagged = TestClients.awaitResponseEvent(candidateResponse);
        assertEquals(new CanaryArm(1, 0), tagged.canary());
        // A/B mode's two choices are the parent's and the candidate's answers, in random order, both tagged.
        Map<String, Object> pair = new java.util.HashMap<>(chat("trial"));
        pair.put("n", 2);
        Response ab = post(pair);
        ab.then().statusCode(200);
        List<Integer> versions = ab.path("choices.model_version");
        assertEquals(Set.of(0, 1), Set.copyOf(versions));
        String both = "trial@" + versions.get(0) + ",trial@" + versions.get(1);
        assertEquals(both, ab.path("model"));
        assertEquals(both, ab.header(ModelName.HEADER));
        ResponseEvent abEvent = TestClients.awaitResponseEvent(ab.path("choices[1].response_id"));
        assertEquals(versions.get(1).longValue(), abEvent.modelVersion());
        assertEquals(new CanaryArm(1, 0), abEvent.canary());
        // Pinned requests are not part of the experiment: not randomly assigned.
        String pinned = post(chat("trial@1")).then().statusCode(200).extract().path("choices[0].response_id");
        assertNull(TestClients.awaitResponseEvent(pinned).canary());

        decide("trial", 1, 0, CanaryDecision.Action.PROMOTE);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.active("trial").version() == 1);
        assertTrue(registry.candidate("trial").isEmpty());
        assertEquals(0, status("trial").getPreviousVersion());
        for (int i = 0; i < 10; i++) {
            post(chat("trial")).then().statusCode(200).body("model", equalTo("trial@1"));
        }
    }

    @Test
    @Order(3)
    void aRolledBackCanaryIsUnloadedWhileRequestsKeepSucceedingAndIsNeverInstalledAgain() throws Exception {
        String base = TestClients.baseFingerprint();
        TestClients.Archive v2 = TestClients.checkpoint(work, "trial", 2, base, 0.3f);
        assertEquals(Outcome.CANARY, TestClients.push(TestClients.control(controlChannel, TestClients.TOKEN), "trial", 2,
                v2, true).get(60, TimeUnit.SECONDS).getOutcome());
        int loadedWithCanary = registry.loadedAdapters();

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> models = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<CompletableFuture<Void>> load = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> CompletableFuture.runAsync(() -> {
                    while (running.get()) {
                        Response r = post(chat("trial"));
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.asString());
                        } else {
                            models.add(r.path("model"));
                        }
                    }
                }, clients)).toList();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> models.contains("trial@2"));
            decide("trial", 2, 1, CanaryDecision.Action.ROLLBACK);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.candidate("trial").isEmpty());
            int before = models.size();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> models.size() >= before + 10);
        } finally {
            running.set(false);
            CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            clients.shutdown();
        }
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
        assertEquals(1, registry.active("trial").version());
        // The candidate's memory is freed once the requests that ran on it are done.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.loadedAdapters() < loadedWithCanary);
        for (int i = 0; i < 10; i++) {
            post(chat("trial")).then().statusCode(200).body("model", equalTo("trial@1"));
        }
        post(chat("trial@2")).then().statusCode(404).body("loaded_models", contains("trial@0", "trial@1"));
        ExecutionException again = assertThrows(ExecutionException.class, () -> TestClients.push(
                TestClients.control(controlChannel, TestClients.TOKEN), "trial", 2, v2, true).get(60, TimeUnit.SECONDS));
        assertEquals(Status.Code.FAILED_PRECONDITION, Status.fromThrowable(again.getCause()).getCode());
    }

    private ModelStatus status(String policy) throws Exception {
        CompletableFuture<StatusResponse> result = new CompletableFuture<>();
        TestClients.control(controlChannel, TestClients.TOKEN).status(StatusRequest.newBuilder().setPolicy(policy).build(),
                TestClients.completing(result));
        return result.get(30, TimeUnit.SECONDS).getPolicies(0);
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static void createDecisionTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(TopicContract.get(Topics.CANARY_DECISIONS).newTopic(1, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** Feedback's side, as it would announce it. */
    private static void decide(String policy, long candidate, long parent, CanaryDecision.Action action)
            throws Exception {
        CanaryDecision d = new CanaryDecision(CanaryDecision.SCHEMA, policy, candidate, parent, action, "sprt", 150,
                75, 1350, 675, 0, 0, action == CanaryDecision.Action.PROMOTE ? 3.0 : -2.4, Math.log(0.1 / 0.95),
                Math.log(0.9 / 0.05), 0.05, 0.1, 0.1, Instant.now());
        try (KafkaProducer<String, CanaryDecision> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()), new StringSerializer(),
                new JsonSerializer<>())) {
            producer.send(new ProducerRecord<>(Topics.CANARY_DECISIONS, d.key(), d)).get(30, TimeUnit.SECONDS);
        }
    }
}
