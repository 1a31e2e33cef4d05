package io.livedpo.serving;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointArchive;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.checkpoint.ModelFingerprint;
import io.livedpo.common.Sha256;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.serving.grpc.ControlServer;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.livedpo.proto.PushCheckpointRequest;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.transfer.ArchiveFrames;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.ArchiveSignature;
import io.livedpo.transfer.ControlToken;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Clients of the serving instance under test: gRPC channels, the response topic, checkpoint pushes. */
final class TestClients {

    static final Path BASE = Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2");
    static final String TOKEN = "test-token";
    static final String SIGNING_KEY = "test-signing-key";

    private TestClients() {
    }

    static ManagedChannel channel(URL url) {
        return ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
    }

    /** ModelControl's own port (grpc/ControlServer), apart from the chat API's. */
    static ManagedChannel controlChannel(ControlServer server) {
        return ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    }

    /** Health and metrics: the management interface's port, which Quarkus picked for this test run. */
    static RequestSpecification management() {
        return RestAssured.given().port(ConfigProvider.getConfig().getValue("quarkus.management.test-port",
                Integer.class));
    }

    static ModelControlGrpc.ModelControlStub control(ManagedChannel channel, String token) {
        return ModelControlGrpc.newStub(channel).withInterceptors(ControlToken.attach(Optional.ofNullable(token)));
    }

    /** Reads the responses topic from the start until the event with this id shows up (deadline 30 s). */
    static ResponseEvent awaitResponseEvent(String responseId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, ResponseEvent> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new JsonDeserializer<>(ResponseEvent.class))) {
            consumer.subscribe(List.of(Topics.RESPONSES));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ResponseEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(responseId)) {
                        return r.value();
                    }
                }
            }
        }
        throw new AssertionError("response event " + responseId + " did not arrive within 30 s");
    }

    /** A checkpoint archive of a LoRA adapter for the fixture base, with B made non-zero so it changes answers. */
    record Archive(byte[] bytes, String sha256, String baseModel) {
    }

    static Archive checkpoint(Path workDir, String policy, long version, String baseModel, float bScale)
            throws IOException {
        return checkpoint(workDir, policy, version, baseModel, bScale, 0);
    }

    /** As above, with {@code extraBytes} of notes beside the weights so the archive spans several 1 MiB chunks. */
    static Archive checkpoint(Path workDir, String policy, long version, String baseModel, float bScale,
                              int extraBytes) throws IOException {
        return checkpoint(BASE, workDir, policy, version, baseModel, bScale, extraBytes);
    }

    /** As above for the base model in {@code baseDir}; {@code version} seeds the adapter, so each version differs. */
    static Archive checkpoint(Path baseDir, Path workDir, String policy, long version, String baseModel, float bScale,
                              int extraBytes) throws IOException {
        Path dir = workDir.resolve(policy + "-" + version + "-" + UUID.randomUUID());
        try (NDManager m = NDManager.newBaseManager(); Gpt2Model base = Gpt2Model.load(baseDir, m);
             LoraAdapter adapter = LoraAdapter.create(base, new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS),
                     version, m)) {
            for (NDArray p : adapter.parameters()) {
                p.set(m.randomNormal(p.getShape()).mul(bScale).toFloatArray());
            }
            AdapterCheckpoint.write(dir, adapter.config(), adapter.peftTensors(), CheckpointMetadata.draft(policy,
                    version, version - 1, baseModel, 10 * version, Map.of("loss", 0.5), Instant.now(), Map.of()));
        }
        if (extraBytes > 0) {
            Files.writeString(dir.resolve("notes.txt"), "x".repeat(extraBytes));
        }
        byte[] bytes = CheckpointArchive.pack(dir);
        return new Archive(bytes, Sha256.hex(bytes), baseModel);
    }

    static String baseFingerprint() throws IOException {
        return ModelFingerprint.of(BASE);
    }

    /** Streams the archive as a header plus chunks; {@code sendBytes} may be fewer than announced (truncation). */
    static CompletableFuture<PushCheckpointResponse> push(ModelControlGrpc.ModelControlStub stub, String policy,
                                                          long version, Archive archive, String sha256,
                                                          byte[] signature, int sendBytes, boolean abort) {
        return push(stub, policy, version, archive, sha256, signature, sendBytes, abort, false);
    }

    /** A whole, signed push; {@code liveCanary} asks serving to start the version as a live canary. */
    static CompletableFuture<PushCheckpointResponse> push(ModelControlGrpc.ModelControlStub stub, String policy,
                                                          long version, Archive archive, boolean liveCanary) {
        return push(stub, policy, version, archive, archive.sha256(), sign(archive.bytes(), SIGNING_KEY),
                archive.bytes().length, false, liveCanary);
    }

    private static CompletableFuture<PushCheckpointResponse> push(ModelControlGrpc.ModelControlStub stub,
                                                                  String policy, long version, Archive archive,
                                                                  String sha256, byte[] signature, int sendBytes,
                                                                  boolean abort, boolean liveCanary) {
        CompletableFuture<PushCheckpointResponse> result = new CompletableFuture<>();
        StreamObserver<PushCheckpointRequest> requests = stub.pushCheckpoint(completing(result));
        ArchiveHeader header = new ArchiveHeader(policy, version, version - 1, archive.baseModel(), sha256,
                archive.bytes().length, signature, true, liveCanary);
        ArchiveFrames.push(header, Arrays.copyOf(archive.bytes(), sendBytes)).forEach(requests::onNext);
        if (abort) {
            requests.onError(new IOException("sender crashed mid-push"));
            result.completeExceptionally(new IOException("aborted by the test"));
        } else {
            requests.onCompleted();
        }
        return result;
    }

    /** An observer of a single-answer call that completes {@code result} with the answer or the error. */
    static <T> StreamObserver<T> completing(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(null); // no-op when onNext already completed it
            }
        };
    }

    static byte[] sign(byte[] bytes, String key) {
        return new ArchiveSignature(Optional.of(key)).sign(bytes);
    }
}
