package io.livedpo.policy.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.common.Sha256;
import io.livedpo.policy.lora.LoraConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterCheckpointTest {

    private static final String BASE = "sha256:" + "ab".repeat(32);
    private static final LoraConfig CONFIG = new LoraConfig(4, 8f, List.of("attn.c_attn", "mlp.c_fc"));

    @TempDir
    Path root;

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(7);
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Test
    void writeThenReadGivesIdenticalTensorsAndMetadata() throws IOException {
        Map<String, NDArray> tensors = adapterTensors();
        Path dir = root.resolve("support-bot/v3");

        CheckpointMetadata written = AdapterCheckpoint.write(dir, CONFIG, tensors, draft());

        Path weights = dir.resolve(AdapterCheckpoint.WEIGHTS_FILE);
        assertEquals(Sha256.hex(weights), written.sha256());
        assertEquals(Files.size(weights), written.sizeBytes());
        assertEquals(draft().withWeights(written.sha256(), written.sizeBytes()), written);
        try (LoadedAdapter loaded = AdapterCheckpoint.read(dir, manager, BASE)) {
            assertEquals(CONFIG, loaded.config());
            assertEquals(written, loaded.metadata());
            assertEquals(tensors.keySet(), loaded.tensors().keySet());
            for (String name : tensors.keySet()) {
                assertEquals(tensors.get(name).getShape(), loaded.tensors().get(name).getShape(), name);
                assertArrayEquals(tensors.get(name).toFloatArray(), loaded.tensors().get(name).toFloatArray(), name);
            }
        }
        assertEquals(written, AdapterCheckpoint.readMetadata(dir));
    }

    @Test
    void filesFollowPeftAndCamelCaseConventions() throws IOException {
        Path dir = root.resolve("v3");
        AdapterCheckpoint.write(dir, CONFIG, adapterTensors(), draft());

        JsonNode config = CheckpointJson.MAPPER.readTree(dir.resolve(AdapterCheckpoint.CONFIG_FILE).toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals("CAUSAL_LM", config.get("task_type").asText());
        assertEquals(4, config.get("r").asInt());
        assertEquals(8.0, config.get("lora_alpha").asDouble());
        assertTrue(config.get("fan_in_fan_out").asBoolean());
        assertEquals("none", config.get("bias").asText());
        assertEquals(List.of("attn.c_attn", "mlp.c_fc"),
                List.of(config.get("target_modules").get(0).asText(), config.get("target_modules").get(1).asText()));
        JsonNode meta = CheckpointJson.MAPPER.readTree(dir.resolve(AdapterCheckpoint.METADATA_FILE).toFile());
        assertEquals("2025-01-02T03:04:05.123456Z", meta.get("createdAt").asText());
        assertEquals(2, meta.get("parentVersion").asInt());
        assertEquals(0.75, meta.get("metrics").get("rewards/accuracies").asDouble());
        assertEquals(Map.of("format", "pt"), Safetensors.readHeader(dir.resolve(AdapterCheckpoint.WEIGHTS_FILE)).metadata());
    }

    @Test
    void flippedWeightByteIsRefused() throws IOException {
        Path dir = root.resolve("v3");
        CheckpointMetadata written = AdapterCheckpoint.write(dir, CONFIG, adapterTensors(), draft());
        Path weights = dir.resolve(AdapterCheckpoint.WEIGHTS_FILE);
        flipLastByte(weights);

        CheckpointException e = assertThrows(CheckpointException.class, () -> AdapterCheckpoint.read(dir, manager, BASE));

        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("sha256 " + Sha256.hex(weights)), e.getMessage());
        assertTrue(e.getMessage().contains("records " + written.sha256()), e.getMessage());
    }

    @Test
    void wrongBaseModelIsRefused() throws IOException {
        Path dir = root.resolve("v3");
        AdapterCheckpoint.write(dir, CONFIG, adapterTensors(), draft());
        String other = "sha256:" + "cd".repeat(32);

        CheckpointException e = assertThrows(CheckpointException.class, () -> AdapterCheckpoint.read(dir, manager, other));

        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("trained on base model " + BASE), e.getMessage());
        assertTrue(e.getMessage().contains("loaded base model is " + other), e.getMessage());
        try (LoadedAdapter unchecked = AdapterCheckpoint.read(dir, manager, null)) {
            assertEquals(BASE, unchecked.metadata().baseModel(), "a null expectation skips the base check");
        }
    }

    @Test
    void existingCheckpointIsNotOverwritten() throws IOException {
        Path dir = root.resolve("v3");
        CheckpointMetadata first = AdapterCheckpoint.write(dir, CONFIG, adapterTensors(), draft());

        CheckpointException e = assertThrows(CheckpointException.class,
                () -> AdapterCheckpoint.write(dir, CONFIG, adapterTensors(), draft()));

        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(first, AdapterCheckpoint.readMetadata(dir));
        assertEquals(first.sha256(), Sha256.hex(dir.resolve(AdapterCheckpoint.WEIGHTS_FILE)));
    }

    @Test
    void failureMidWriteLeavesNoTargetAndNoTempDir() throws IOException {
        Path parent = Files.createDirectories(root.resolve("support-bot"));
        Path dir = parent.resolve("v3");
        FailingOnSecondPass tensors = new FailingOnSecondPass(adapterTensors(), parent);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AdapterCheckpoint.write(dir, CONFIG, tensors, draft()));

        assertEquals("injected", e.getMessage());
        assertTrue(tensors.tempDirSeen, "the failure happened inside the atomic write");
        try (Stream<Path> left = Files.list(parent)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void plainPeftAdapterLoadsWithoutMetadata() throws IOException {
        Path dir = Files.createDirectories(root.resolve("peft"));
        ObjectNode config = CheckpointJson.MAPPER.createObjectNode()
                .put("peft_type", "LORA").put("task_type", "CAUSAL_LM").put("r", 4).put("lora_alpha", 8)
                .put("lora_dropout", 0.05).put("bias", "none").put("fan_in_fan_out", true)
                .put("use_rslora", false).put("use_dora", false).putNull("modules_to_save")
                .put("base_model_name_or_path", "gpt2");
        config.putObject("rank_pattern");
        config.putObject("alpha_pattern");
        config.putArray("target_modules").add("c_attn");
        CheckpointJson.MAPPER.writeValue(dir.resolve(AdapterCheckpoint.CONFIG_FILE).toFile(), config);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", manager.randomNormal(new Shape(4, 8)));
        tensors.put("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight", manager.zeros(new Shape(24, 4)));
        Safetensors.write(dir.resolve(AdapterCheckpoint.WEIGHTS_FILE), tensors, Map.of("format", "pt"));

        try (LoadedAdapter loaded = AdapterCheckpoint.read(dir, manager, BASE)) {
            assertNull(loaded.metadata());
            assertEquals(new LoraConfig(4, 8f, List.of("c_attn")), loaded.config());
            assertEquals(tensors.keySet(), loaded.tensors().keySet());
        }
        assertThrows(CheckpointException.class, () -> AdapterCheckpoint.readMetadata(dir));
    }

    @Test
    void unsupportedPeftFeaturesAreRefused() throws IOException {
        Path dir = root.resolve("v3");
        AdapterCheckpoint.write(dir, CONFIG, adapterTensors(), draft());
        Path configFile = dir.resolve(AdapterCheckpoint.CONFIG_FILE);
        ObjectNode config = (ObjectNode) CheckpointJson.MAPPER.readTree(configFile.toFile());
        CheckpointJson.MAPPER.writeValue(configFile.toFile(), config.put("use_rslora", true));

        CheckpointException e = assertThrows(CheckpointException.class, () -> AdapterCheckpoint.read(dir, manager, BASE));

        assertTrue(e.getMessage().contains("use_rslora"), e.getMessage());
    }

    @Test
    void tensorsNotMatchingTheConfigAreRefused() {
        Map<String, NDArray> tensors = adapterTensors();
        tensors.put("base_model.model.transformer.h.0.attn.c_proj.lora_A.weight", manager.zeros(new Shape(4, 8)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterCheckpoint.write(root.resolve("v3"), CONFIG, tensors, draft()));

        assertTrue(e.getMessage().contains("outside target_modules"), e.getMessage());
        assertFalse(Files.exists(root.resolve("v3")));
    }

    @Test
    void metadataIgnoresUnknownFields() throws IOException {
        Path dir = root.resolve("v3");
        CheckpointMetadata written = AdapterCheckpoint.write(dir, CONFIG, adapterTensors(), draft());
        Path file = dir.resolve(AdapterCheckpoint.METADATA_FILE);
        ObjectNode json = (ObjectNode) CheckpointJson.MAPPER.readTree(file.toFile());
        CheckpointJson.MAPPER.writeValue(file.toFile(), json.put("addedInALaterRelease", "x"));

        assertEquals(written, AdapterCheckpoint.readMetadata(dir));
    }

    private static CheckpointMetadata draft() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", 0.61);
        metrics.put("rewards/accuracies", 0.75);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("kafkaTopic", "pairs");
        attributes.put("fromOffset", 100L);
        attributes.put("toOffset", 1299L);
        return CheckpointMetadata.draft("support-bot", 3, 2, BASE, 1200, metrics,
                Instant.parse("2025-01-02T03:04:05.123456Z"), attributes);
    }

    /** Two GPT-2-like blocks with n_embd 8: c_attn is 8 → 24, c_fc is 8 → 32. */
    private Map<String, NDArray> adapterTensors() {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            for (Map.Entry<String, Integer> target : Map.of("attn.c_attn", 24, "mlp.c_fc", 32).entrySet()) {
                String prefix = "base_model.model.transformer.h." + layer + "." + target.getKey();
                tensors.put(prefix + ".lora_A.weight", manager.randomNormal(new Shape(4, 8)));
                tensors.put(prefix + ".lora_B.weight", manager.randomNormal(new Shape(target.getValue(), 4)));
            }
        }
        return tensors;
    }

    private static void flipLastByte(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, channel.size() - 1);
            b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
            channel.write(b, channel.size() - 1);
        }
    }

    /**
     * Iterates normally once (the layout check), then throws during the second pass, which is the weights writer's,
     * noting whether the atomic write's temp directory existed at that moment.
     */
    private static final class FailingOnSecondPass extends AbstractMap<String, NDArray> {

        private final Map<String, NDArray> delegate;
        private final Path parent;
        private int passes;
        boolean tempDirSeen;

        FailingOnSecondPass(Map<String, NDArray> delegate, Path parent) {
            this.delegate = delegate;
            this.parent = parent;
        }

        @Override
        public Set<Entry<String, NDArray>> entrySet() {
            if (++passes == 1) {
                return delegate.entrySet();
            }
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, NDArray>> iterator() {
                    try (Stream<Path> list = Files.list(parent)) {
                        tempDirSeen = list.findAny().isPresent();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    throw new IllegalStateException("injected");
                }

                @Override
                public int size() {
                    return delegate.size();
                }
            };
        }
    }
}
