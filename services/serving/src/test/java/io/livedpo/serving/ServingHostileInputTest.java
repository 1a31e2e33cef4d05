package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.livedpo.common.Sha256;
import io.livedpo.proto.ActivateRequest;
import io.livedpo.proto.ChatMessage;
import io.livedpo.proto.ChatRequest;
import io.livedpo.proto.ChatServiceGrpc;
import io.livedpo.proto.CheckpointHeader;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.proto.RollbackRequest;
import io.livedpo.proto.StatusRequest;
import io.livedpo.testing.hostile.Hostile;
import io.livedpo.testing.hostile.Tries;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hostile input on every serving edge, over real HTTP and gRPC on loopback with the tiny model: the chat REST body
 * (120 tries), the gRPC ChatRequest (100), ModelControl's Activate/Rollback/Status (60) and pushed checkpoints with
 * hostile headers and bytes, some correctly signed so they reach unpacking (40). Answers are 200 or a 4xx
 * problem+json, and OK or a documented gRPC code: never a 5xx, INTERNAL or UNKNOWN. Hostile policies are never
 * "default" or "other", so no try changes what other tests see.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class ServingHostileInputTest extends LoopbackChannelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Status.Code> CHAT_CODES = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.RESOURCE_EXHAUSTED);
    private static final Set<Status.Code> CONTROL_CODES = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION);

    @Test
    void chatCompletionsAnswer200OrA4xxProblem() {
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("model", "default");
        valid.put("messages", List.of(Map.of("role", "user", "content", "Hi")));
        valid.put("max_tokens", 2);
        valid.put("seed", 1);
        valid.put("temperature", 0.7);
        valid.put("stream", false);
        valid.put("stop", List.of("\n"));
        valid.put("n", 1);
        Tries.check("POST /v1/chat/completions", 120, random -> {
            String body = Hostile.body(random, valid, ServingHostileInputTest::json);
            Response r = given().body(body.getBytes(StandardCharsets.UTF_8))
                    .contentType(Hostile.pick(random, "application/json", "application/json", "text/plain"))
                    .post("/v1/chat/completions");
            int status = r.statusCode();
            String context = status + " for " + abbreviate(body) + ": " + abbreviate(r.asString());
            assertTrue(status == 200 || status >= 400 && status < 500, context);
            if (status != 200) {
                assertEquals("application/problem+json", r.contentType().split(";")[0], context);
                assertEquals(status, JSON.readTree(r.asString()).path("status").asInt(), context);
            }
        });
    }

    @Test
    void grpcChatAnswersOkOrADocumentedCode() {
        ChatServiceGrpc.ChatServiceBlockingStub chat = ChatServiceGrpc.newBlockingStub(channel);
        Tries.check("ChatService.Complete", 100, random -> {
            ChatRequest request = chatRequest(random);
            String code = code(() -> chat.withDeadlineAfter(60, TimeUnit.SECONDS).complete(request));
            assertTrue(allowed(CHAT_CODES, code), code + " for " + abbreviate(request.toString()));
        });
    }

    @Test
    void modelControlCallsAnswerOkOrADocumentedCode() {
        ModelControlGrpc.ModelControlBlockingStub control = ModelControlGrpc.newBlockingStub(controlChannel)
                .withInterceptors(io.livedpo.transfer.ControlToken.attach(java.util.Optional.of(TestClients.TOKEN)));
        Tries.check("ModelControl unary calls", 60, random -> {
            String policy = hostilePolicy(random);
            long version = Hostile.pick(random, 0L, -1L, 1L, 99L, Long.MAX_VALUE, Long.MIN_VALUE);
            String code = switch (random.nextInt(3)) {
                case 0 -> code(() -> control.activate(ActivateRequest.newBuilder().setPolicy(policy)
                        .setVersion(version).build()));
                case 1 -> code(() -> control.rollback(RollbackRequest.newBuilder().setPolicy(policy)
                        .setReason(Hostile.text(random)).build()));
                default -> code(() -> control.status(StatusRequest.newBuilder().setPolicy(policy).build()));
            };
            assertTrue(allowed(CONTROL_CODES, code), code + " for policy " + abbreviate(policy) + " v" + version);
        });
    }

    @Test
    void hostilePushesAreRefusedWithADocumentedCode() throws Exception {
        String base = TestClients.baseFingerprint();
        ModelControlGrpc.ModelControlStub control = TestClients.control(controlChannel, TestClients.TOKEN);
        Tries.check("ModelControl.PushCheckpoint", 40, random -> {
            byte[] archive = new byte[random.nextInt(4) == 0 ? 0 : 512 * (1 + random.nextInt(6))];
            random.nextBytes(archive);
            if (random.nextBoolean()) {
                // A ustar-looking start with a climbing name, so correctly signed tries exercise unpacking.
                byte[] name = "../../evil".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(name, 0, archive, 0, Math.min(name.length, archive.length));
            }
            boolean honest = random.nextBoolean();
            String sha = honest ? Sha256.hex(archive) : Hostile.pick(random, "", "0".repeat(64), Hostile.text(random));
            CheckpointHeader header = CheckpointHeader.newBuilder().setPolicy(hostilePolicy(random))
                    .setVersion(Hostile.pick(random, 1L, 2L, 0L, -5L, Long.MAX_VALUE)).setParentVersion(
                            Hostile.pick(random, 0L, -1L, Long.MAX_VALUE))
                    .setBaseModel(honest ? base : Hostile.text(random)).setSha256(sha)
                    .setSizeBytes(honest ? archive.length : Hostile.pick(random, -1L, 0L, 1L << 40, archive.length + 1L))
                    .setSignature(ByteString.copyFrom(honest ? TestClients.sign(archive, TestClients.SIGNING_KEY)
                            : new byte[random.nextInt(40)]))
                    .setActivate(random.nextBoolean()).build();
            CompletableFuture<PushCheckpointResponse> result = new CompletableFuture<>();
            StreamObserver<PushCheckpointRequest> requests = control.pushCheckpoint(TestClients.completing(result));
            if (random.nextInt(5) > 0) {
                requests.onNext(PushCheckpointRequest.newBuilder().setHeader(header).build());
            }
            for (int at = 0; at < archive.length; at += 1024) {
                requests.onNext(PushCheckpointRequest.newBuilder().setChunk(ByteString.copyFrom(archive, at,
                        Math.min(1024, archive.length - at))).build());
            }
            if (random.nextInt(6) == 0) {
                requests.onNext(PushCheckpointRequest.newBuilder().setHeader(header).build()); // a second header
            }
            requests.onCompleted();
            Status status = Status.OK;
            try {
                result.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                status = Status.fromThrowable(e.getCause());
            }
            assertTrue(Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.FAILED_PRECONDITION).contains(status.getCode()),
                    status.getCode() + " " + abbreviate(String.valueOf(status.getDescription())) + " for "
                            + abbreviate(header.toString()));
        });
    }

    private static ChatRequest chatRequest(SplittableRandom random) {
        ChatRequest.Builder b = ChatRequest.newBuilder().setPolicy(Hostile.pick(random, "default", "default",
                Hostile.text(random)));
        for (int i = random.nextInt(4); i > 0; i--) {
            b.addMessages(ChatMessage.newBuilder().setRole(Hostile.pick(random, "user", "assistant", "system",
                    Hostile.text(random))).setContent(Hostile.text(random)));
        }
        if (random.nextBoolean()) {
            b.setTemperature(Hostile.pick(random, 0f, 0.7f, -1f, Float.NaN, Float.POSITIVE_INFINITY, 1e30f));
        }
        if (random.nextBoolean()) {
            b.setTopP(Hostile.pick(random, 0f, 0.9f, 1f, -0.5f, 2f, Float.NaN));
        }
        if (random.nextBoolean()) {
            b.setMaxTokens(Hostile.pick(random, 0, 1, 3, -1, Integer.MAX_VALUE, Integer.MIN_VALUE));
        } else {
            b.setMaxTokens(2); // keeps the valid tries short on two cores
        }
        b.setN(Hostile.pick(random, 0, 1, 2, -3, 1000, Integer.MAX_VALUE));
        if (random.nextBoolean()) {
            b.setSeed(Hostile.pick(random, 0L, -1L, Long.MAX_VALUE));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            b.addStop(Hostile.text(random));
        }
        b.setUser(Hostile.pick(random, "", "alice", Hostile.text(random)));
        return b.build();
    }

    /** A hostile policy name that is never one the app serves, so no try changes shared state. */
    private static String hostilePolicy(SplittableRandom random) {
        String policy = Hostile.text(random);
        return Set.of("default", "other").contains(policy) ? policy + "-x" : policy;
    }

    /** The call's code, with the start of its description (for the failure message) when it failed. */
    private static String code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK.name();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + " " + abbreviate(String.valueOf(e.getStatus().getDescription()));
        }
    }

    private static boolean allowed(Set<Status.Code> codes, String outcome) {
        return codes.stream().anyMatch(c -> outcome.equals(c.name()) || outcome.startsWith(c.name() + " "));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…(" + s.length() + " chars)" : s;
    }
}
