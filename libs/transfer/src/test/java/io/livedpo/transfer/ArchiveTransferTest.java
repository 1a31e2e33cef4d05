package io.livedpo.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.proto.CheckpointStoreGrpc;
import io.livedpo.proto.FetchRequest;
import io.livedpo.proto.FetchResponse;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both ends of the transfer over real gRPC on loopback: a push to a receiver and a fetch from a store. */
class ArchiveTransferTest {

    private static final String TOKEN = "control-token";
    private static final ArchiveSignature SIGNER = new ArchiveSignature(Optional.of("signing-key"));
    private static final long MAX_BYTES = 8L << 20;

    @TempDir
    Path staging;

    private final ExecutorService installs = Executors.newSingleThreadExecutor();
    private final CompletableFuture<byte[]> installed = new CompletableFuture<>();
    private byte[] archive;
    private ArchiveHeader header;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        archive = new byte[(int) (2.5 * ArchiveFrames.CHUNK_BYTES)];
        new Random(7).nextBytes(archive);
        CheckpointMetadata meta = CheckpointMetadata.draft("default", 3, 2, "sha256:" + "a".repeat(64), 30,
                Map.of(), Instant.parse("2026-01-01T00:00:00Z"), Map.of());
        header = ArchiveHeader.of(meta, archive, SIGNER, true);
        ControlToken token = new ControlToken(Optional.of(TOKEN));
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new Receiver(), token))
                .addService(ServerInterceptors.intercept(new Store(), token)).build().start();
        channel = Grpc.newChannelBuilderForAddress("localhost", server.getPort(), InsecureChannelCredentials.create())
                .build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        installs.shutdownNow();
    }

    @Test
    void headerCarriesTheMetadataAndSurvivesTheWire() {
        CheckpointMetadata meta = CheckpointMetadata.draft("default", 3, 2, "sha256:" + "a".repeat(64), 30,
                Map.of(), Instant.now(), Map.of());
        assertTrue(header.describes(meta));
        assertEquals(false, header.describes(CheckpointMetadata.draft("default", 4, 2, meta.baseModel(), 30,
                Map.of(), Instant.now(), Map.of())));
        ArchiveHeader back = ArchiveHeader.fromProto(header.toProto());
        assertEquals(header.label(), back.label());
        assertEquals(header.sha256(), back.sha256());
        assertArrayEquals(header.signature(), back.signature());
    }

    @Test
    void aPushArrivesVerifiedInSeveralChunksAndLeavesNothingStaged() throws Exception {
        PushCheckpointResponse response = push(Optional.of(TOKEN), ArchiveFrames.push(header, archive)).get(30,
                TimeUnit.SECONDS);
        assertEquals(Outcome.ACTIVATED, response.getOutcome());
        assertArrayEquals(archive, installed.get(30, TimeUnit.SECONDS));
        assertEquals(3, ArchiveFrames.chunks(archive, ArchiveFrames.CHUNK_BYTES).count());
        assertStagingEmpty();
    }

    @Test
    void badPushesGetTheirStatusAndLeaveNothingStaged() throws Exception {
        assertEquals(Status.Code.UNAUTHENTICATED, failure(push(Optional.of("wrong"),
                ArchiveFrames.push(header, archive))));
        assertEquals(Status.Code.UNAUTHENTICATED, failure(push(Optional.empty(), ArchiveFrames.push(header, archive))));
        ArchiveHeader wrongHash = new ArchiveHeader(header.policy(), header.version(), header.parentVersion(),
                header.baseModel(), "0".repeat(64), header.sizeBytes(), header.signature(), true);
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(push(Optional.of(TOKEN),
                ArchiveFrames.push(wrongHash, archive))));
        ArchiveHeader unsigned = new ArchiveHeader(header.policy(), header.version(), header.parentVersion(),
                header.baseModel(), header.sha256(), header.sizeBytes(), new byte[0], true);
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(push(Optional.of(TOKEN),
                ArchiveFrames.push(unsigned, archive))));
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(push(Optional.of(TOKEN),
                ArchiveFrames.push(header, archive).limit(2))), "truncated");
        assertEquals(Status.Code.INVALID_ARGUMENT, failure(push(Optional.of(TOKEN),
                ArchiveFrames.push(header, archive).skip(1))), "no header");
        assertEquals(Status.Code.INVALID_ARGUMENT, failure(push(Optional.of(TOKEN), Stream.concat(
                ArchiveFrames.push(header, archive), Stream.of(chunk(new byte[1]))))), "more than announced");
        assertEquals(Status.Code.INVALID_ARGUMENT, failure(push(Optional.of(TOKEN), Stream.of(
                PushCheckpointRequest.newBuilder().setHeader(header.toProto()).build(),
                chunk(new byte[ArchiveFrames.CHUNK_BYTES + 1])))), "oversize chunk");
        ArchiveHeader huge = new ArchiveHeader(header.policy(), header.version(), header.parentVersion(),
                header.baseModel(), header.sha256(), MAX_BYTES + 1, header.signature(), true);
        assertEquals(Status.Code.INVALID_ARGUMENT, failure(push(Optional.of(TOKEN), Stream.of(
                PushCheckpointRequest.newBuilder().setHeader(huge.toProto()).build()))), "over the limit");
        assertTrue(!installed.isDone(), "nothing bad was installed");
        assertStagingEmpty();
    }

    @Test
    void aFetchNeedsTheTokenAndArrivesWhole() throws Exception {
        CheckpointStoreGrpc.CheckpointStoreBlockingStub store = CheckpointStoreGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        FetchRequest request = FetchRequest.newBuilder().setPolicy("default").build();
        try (ReceivedArchive fetched = ArchiveFrames.receive(
                store.withInterceptors(ControlToken.attach(Optional.of(TOKEN))).fetch(request),
                new ArchiveAssembly(staging, MAX_BYTES))) {
            fetched.verify(SIGNER);
            assertArrayEquals(archive, Files.readAllBytes(fetched.file()));
            assertEquals(header.label(), fetched.header().label());
        }
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> ArchiveFrames.receive(
                store.withInterceptors(ControlToken.attach(Optional.of("wrong"))).fetch(request),
                new ArchiveAssembly(staging, MAX_BYTES)));
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertStagingEmpty();
    }

    private CompletableFuture<PushCheckpointResponse> push(Optional<String> token,
                                                           Stream<PushCheckpointRequest> frames) {
        return PushSender.push(ModelControlGrpc.newStub(channel).withInterceptors(ControlToken.attach(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS), frames);
    }

    private static Status.Code failure(CompletableFuture<PushCheckpointResponse> push) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> push.get(30, TimeUnit.SECONDS));
        return Status.fromThrowable(e.getCause()).getCode();
    }

    private static PushCheckpointRequest chunk(byte[] bytes) {
        return PushCheckpointRequest.newBuilder().setChunk(ByteString.copyFrom(bytes)).build();
    }

    private void assertStagingEmpty() throws Exception {
        // The receiver deletes on its install thread after answering: wait for that thread to drain.
        installs.submit(() -> null).get(30, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.list(staging)) {
            assertEquals(List.of(), files.toList());
        }
    }

    private final class Receiver extends ModelControlGrpc.ModelControlImplBase {
        @Override
        public StreamObserver<PushCheckpointRequest> pushCheckpoint(StreamObserver<PushCheckpointResponse> out) {
            return new PushReceiver(new ArchiveAssembly(staging, MAX_BYTES), installs, received -> {
                received.verify(SIGNER);
                installed.complete(Files.readAllBytes(received.file()));
                return PushCheckpointResponse.newBuilder().setPolicy(received.header().policy())
                        .setVersion(received.header().version()).setActiveVersion(received.header().version())
                        .setOutcome(Outcome.ACTIVATED).build();
            }, out);
        }
    }

    private final class Store extends CheckpointStoreGrpc.CheckpointStoreImplBase {
        @Override
        public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
            ArchiveFrames.fetch(header, archive).forEach(out::onNext);
            out.onCompleted();
        }
    }
}
