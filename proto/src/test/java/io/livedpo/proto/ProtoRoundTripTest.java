package io.livedpo.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generated messages and stubs work end to end over a real HTTP/2 connection. */
class ProtoRoundTripTest {

    private static final int MIB = 1 << 20;

    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        // Loopback only and port 0, so parallel builds on one machine never collide.
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new EchoChat())
                .addService(new CountingModelControl())
                .build()
                .start();
        channel = NettyChannelBuilder.forAddress((InetSocketAddress) server.getListenSockets().get(0))
                .usePlaintext()
                .build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void unaryCompleteCarriesEveryField() {
        ChatRequest request = ChatRequest.newBuilder()
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hello there"))
                .setTemperature(0.7f)
                .setN(2)
                .setSeed(42)
                .build();

        ChatResponse response = ChatServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .complete(request);

        assertEquals("default@7", response.getModel());
        assertEquals(2, response.getChoicesCount());
        Choice second = response.getChoices(1);
        assertEquals(1, second.getIndex());
        assertEquals("assistant", second.getMessage().getRole());
        assertEquals("hello there", second.getMessage().getContent());
        assertEquals("stop", second.getFinishReason());
        assertEquals(7, second.getModelVersion());
        assertEquals(2, response.getUsage().getPromptTokens());
        assertEquals(response.getUsage().getPromptTokens() + response.getUsage().getCompletionTokens(),
                response.getUsage().getTotalTokens());
    }

    @Test
    void optionalFieldsDistinguishUnsetFromZero() {
        ChatRequest unset = ChatRequest.getDefaultInstance();
        ChatRequest greedy = ChatRequest.newBuilder().setTemperature(0f).build();

        assertTrue(!unset.hasTemperature() && !unset.hasSeed() && !unset.hasMaxTokens());
        assertTrue(greedy.hasTemperature());
    }

    @Test
    void streamingDeliversOneDeltaPerWordThenFinishReason() {
        ChatRequest request = ChatRequest.newBuilder()
                .setPolicy("support")
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("one two three"))
                .build();

        Iterator<ChatChunk> chunks = ChatServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .streamComplete(request);
        List<ChatChunk> received = new ArrayList<>();
        chunks.forEachRemaining(received::add);

        assertEquals(List.of("one ", "two ", "three "), received.stream().map(ChatChunk::getDelta).toList());
        assertEquals("support@7", received.get(0).getModel());
        assertEquals("", received.get(1).getFinishReason());
        assertEquals("stop", received.get(2).getFinishReason());
    }

    @Test
    void clientStreamingPushCountsEveryChunkByte() throws Exception {
        byte[] archive = new byte[2 * MIB + 123];
        for (int i = 0; i < archive.length; i++) {
            archive[i] = (byte) (i * 31);
        }
        CheckpointHeader header = CheckpointHeader.newBuilder()
                .setPolicy("default")
                .setVersion(8)
                .setParentVersion(7)
                .setBaseModel("gpt2-tiny:abc")
                .setSha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)))
                .setSizeBytes(archive.length)
                .setActivate(true)
                .build();

        CompletableFuture<PushCheckpointResponse> reply = new CompletableFuture<>();
        StreamObserver<PushCheckpointRequest> upload = ModelControlGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .pushCheckpoint(completing(reply));
        upload.onNext(PushCheckpointRequest.newBuilder().setHeader(header).build());
        for (int offset = 0; offset < archive.length; offset += MIB) {
            int length = Math.min(MIB, archive.length - offset);
            upload.onNext(PushCheckpointRequest.newBuilder()
                    .setChunk(ByteString.copyFrom(archive, offset, length))
                    .build());
        }
        upload.onCompleted();

        PushCheckpointResponse response = reply.get(10, TimeUnit.SECONDS);
        assertEquals(Outcome.ACTIVATED, response.getOutcome(), response.getReason());
        assertEquals(8, response.getVersion());
        assertEquals(8, response.getActiveVersion());
        assertEquals(7, response.getPreviousVersion());

        ModelStatus status = ModelControlGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .status(StatusRequest.newBuilder().setPolicy("default").build())
                .getPolicies(0);
        assertEquals(8, status.getActiveVersion());
    }

    @Test
    void pushWithWrongSizeIsRejected() throws Exception {
        CompletableFuture<PushCheckpointResponse> reply = new CompletableFuture<>();
        StreamObserver<PushCheckpointRequest> upload = ModelControlGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .pushCheckpoint(completing(reply));
        upload.onNext(PushCheckpointRequest.newBuilder()
                .setHeader(CheckpointHeader.newBuilder().setPolicy("other").setVersion(1).setSizeBytes(10))
                .build());
        upload.onNext(PushCheckpointRequest.newBuilder().setChunk(ByteString.copyFromUtf8("short")).build());
        upload.onCompleted();

        PushCheckpointResponse response = reply.get(10, TimeUnit.SECONDS);
        assertEquals(Outcome.REJECTED, response.getOutcome());
        assertEquals("received 5 of 10 bytes", response.getReason());
    }

    @Test
    void protoSourcesShipInTheJar() throws Exception {
        for (String file : List.of("chat.proto", "model_control.proto", "checkpoint_store.proto")) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("livedpo/v1/" + file)) {
                assertTrue(in != null && in.readAllBytes().length > 0, file);
            }
        }
    }

    private static <T> StreamObserver<T> completing(CompletableFuture<T> future) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                // The unary reply already completed the future in onNext.
            }
        };
    }

    /** Answers with the user's last message, split into words when streaming. */
    private static final class EchoChat extends ChatServiceGrpc.ChatServiceImplBase {
        private static final long VERSION = 7;

        @Override
        public void complete(ChatRequest request, StreamObserver<ChatResponse> responses) {
            String text = lastContent(request);
            int promptTokens = text.split(" ").length;
            ChatResponse.Builder response = ChatResponse.newBuilder()
                    .setId("req-1")
                    .setModel(model(request))
                    .setCreated(System.currentTimeMillis() / 1000)
                    .setUsage(Usage.newBuilder()
                            .setPromptTokens(promptTokens)
                            .setCompletionTokens(promptTokens * Math.max(1, request.getN()))
                            .setTotalTokens(promptTokens * (1 + Math.max(1, request.getN()))));
            for (int i = 0; i < Math.max(1, request.getN()); i++) {
                response.addChoices(Choice.newBuilder()
                        .setIndex(i)
                        .setMessage(ChatMessage.newBuilder().setRole("assistant").setContent(text))
                        .setFinishReason("stop")
                        .setResponseId("resp-" + i)
                        .setModelVersion(VERSION));
            }
            responses.onNext(response.build());
            responses.onCompleted();
        }

        @Override
        public void streamComplete(ChatRequest request, StreamObserver<ChatChunk> chunks) {
            String[] words = lastContent(request).split(" ");
            for (int i = 0; i < words.length; i++) {
                chunks.onNext(ChatChunk.newBuilder()
                        .setId("req-2")
                        .setModel(model(request))
                        .setDelta(words[i] + " ")
                        .setFinishReason(i == words.length - 1 ? "stop" : "")
                        .setResponseId("resp-0")
                        .setModelVersion(VERSION)
                        .build());
            }
            chunks.onCompleted();
        }

        private static String lastContent(ChatRequest request) {
            return request.getMessages(request.getMessagesCount() - 1).getContent();
        }

        private static String model(ChatRequest request) {
            String policy = request.getPolicy().isEmpty() ? "default" : request.getPolicy();
            return policy + "@" + VERSION;
        }
    }

    /** Accepts a push when the streamed byte count matches the header; remembers the active version. */
    private static final class CountingModelControl extends ModelControlGrpc.ModelControlImplBase {
        private volatile ModelStatus current = ModelStatus.newBuilder()
                .setPolicy("default").setActiveVersion(7).build();

        @Override
        public StreamObserver<PushCheckpointRequest> pushCheckpoint(StreamObserver<PushCheckpointResponse> reply) {
            return new StreamObserver<>() {
                private CheckpointHeader header;
                private long received;

                @Override
                public void onNext(PushCheckpointRequest request) {
                    switch (request.getPayloadCase()) {
                        case HEADER -> header = request.getHeader();
                        case CHUNK -> received += request.getChunk().size();
                        case PAYLOAD_NOT_SET -> throw new IllegalArgumentException("empty push message");
                    }
                }

                @Override
                public void onError(Throwable t) {
                    // The client gave up; nothing was activated, so there is nothing to undo.
                }

                @Override
                public void onCompleted() {
                    PushCheckpointResponse.Builder response = PushCheckpointResponse.newBuilder()
                            .setPolicy(header.getPolicy())
                            .setVersion(header.getVersion());
                    if (received != header.getSizeBytes()) {
                        response.setOutcome(Outcome.REJECTED)
                                .setReason("received " + received + " of " + header.getSizeBytes() + " bytes")
                                .setActiveVersion(current.getActiveVersion());
                    } else {
                        current = ModelStatus.newBuilder()
                                .setPolicy(header.getPolicy())
                                .setActiveVersion(header.getVersion())
                                .setPreviousVersion(current.getActiveVersion())
                                .setOutcome(Outcome.ACTIVATED)
                                .build();
                        response.setOutcome(Outcome.ACTIVATED)
                                .setActiveVersion(current.getActiveVersion())
                                .setPreviousVersion(current.getPreviousVersion());
                    }
                    reply.onNext(response.build());
                    reply.onCompleted();
                }
            };
        }

        @Override
        public void status(StatusRequest request, StreamObserver<StatusResponse> reply) {
            reply.onNext(StatusResponse.newBuilder().addPolicies(current).build());
            reply.onCompleted();
        }
    }
}
