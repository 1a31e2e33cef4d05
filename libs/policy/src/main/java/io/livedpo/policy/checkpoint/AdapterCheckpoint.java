package io.livedpo.policy.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.policy.io.AtomicFiles;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.common.Sha256;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWState;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A LoRA adapter checkpoint directory in PEFT layout, loadable by {@code PeftModel.from_pretrained}:
 * adapter_config.json, adapter_model.safetensors, plus LiveDPO's livedpo.json and, from the trainer, the optimizer
 * state in files of its own ({@link OptimizerCheckpoint}). Directories are written once and never changed, so a
 * version number names exactly one set of weights.
 */
public final class AdapterCheckpoint {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String METADATA_FILE = "livedpo.json";

    private AdapterCheckpoint() {
    }

    /**
     * Writes a new checkpoint directory atomically and returns {@code meta} completed with the sha256 and size of the
     * weights file as written. Refuses an existing {@code dir}.
     *
     * @param peftTensors PEFT-named tensors, e.g. {@code base_model.model.transformer.h.0.attn.c_attn.lora_A.weight}
     */
    public static CheckpointMetadata write(Path dir, LoraConfig config, Map<String, NDArray> peftTensors,
            CheckpointMetadata meta) throws IOException {
        return write(dir, config, peftTensors, meta, null);
    }

    /**
     * As {@link #write(Path, LoraConfig, Map, CheckpointMetadata)}, with the optimizer state that produced the weights
     * (null: none) in the same atomic directory, so a trainer resumes exactly where it stopped; see
     * {@link OptimizerCheckpoint}.
     */
    public static CheckpointMetadata write(Path dir, LoraConfig config, Map<String, NDArray> peftTensors,
            CheckpointMetadata meta, AdamWState optimizer) throws IOException {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        peftTensors.forEach((name, array) -> shapes.put(name, array.getShape()));
        Optional<String> problem = AdapterLayout.problem(config, shapes);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("cannot write checkpoint " + dir + ": " + problem.get());
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(dir, null);
        }
        try {
            return AtomicFiles.writeDirectory(dir, temp -> {
                Path weights = temp.resolve(WEIGHTS_FILE);
                Safetensors.write(weights, peftTensors, Map.of("format", "pt")); // PEFT writes the same metadata
                CheckpointMetadata complete = meta.withWeights(Sha256.hex(weights), Files.size(weights));
                CheckpointJson.MAPPER.writeValue(temp.resolve(CONFIG_FILE).toFile(),
                        PeftAdapterConfig.toJson(config, meta.baseModel()));
                CheckpointJson.MAPPER.writeValue(temp.resolve(METADATA_FILE).toFile(), complete);
                if (optimizer != null) {
                    OptimizerCheckpoint.write(temp, optimizer, complete.sha256());
                }
                return complete;
            });
        } catch (FileAlreadyExistsException e) {
            throw exists(dir, e);
        }
    }

    /**
     * Reads a checkpoint into {@code manager}. With livedpo.json present, the weights must match its size and sha256,
     * and its base fingerprint must equal {@code expectedBaseFingerprint} (unless that is null). A plain PEFT adapter
     * without livedpo.json loads unverified: there is no recorded hash or base model to check against.
     */
    public static LoadedAdapter read(Path dir, NDManager manager, String expectedBaseFingerprint) throws IOException {
        Path configFile = dir.resolve(CONFIG_FILE);
        LoraConfig config = PeftAdapterConfig.parse(configFile, parseJson(configFile));
        CheckpointMetadata meta = Files.exists(dir.resolve(METADATA_FILE)) ? readMetadata(dir) : null;
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException("checkpoint " + dir + " has no " + WEIGHTS_FILE);
        }
        if (meta != null) {
            if (expectedBaseFingerprint != null && !expectedBaseFingerprint.equals(meta.baseModel())) {
                throw new CheckpointException("checkpoint " + dir + " was trained on base model " + meta.baseModel()
                        + " but the loaded base model is " + expectedBaseFingerprint);
            }
            verifyWeights(dir, weights, meta);
        }
        Map<String, NDArray> tensors = Safetensors.read(weights, manager);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        tensors.forEach((name, array) -> shapes.put(name, array.getShape()));
        Optional<String> problem = AdapterLayout.problem(config, shapes);
        if (problem.isPresent()) {
            tensors.values().forEach(NDArray::close);
            throw new CheckpointException("checkpoint " + dir + " does not match its " + CONFIG_FILE + ": "
                    + problem.get());
        }
        return new LoadedAdapter(config, Collections.unmodifiableMap(tensors), meta);
    }

    /** The checkpoint's livedpo.json; a CheckpointException when it is missing, malformed or of a newer schema. */
    public static CheckpointMetadata readMetadata(Path dir) throws CheckpointException {
        Path file = dir.resolve(METADATA_FILE);
        CheckpointMetadata meta;
        try {
            meta = CheckpointJson.MAPPER.treeToValue(parseJson(file), CheckpointMetadata.class);
        } catch (JsonProcessingException e) {
            throw new CheckpointException("invalid checkpoint metadata " + file + ": " + e.getOriginalMessage(), e);
        }
        if (meta.schema() > CheckpointMetadata.SCHEMA) {
            throw new CheckpointException("checkpoint metadata " + file + " has schema " + meta.schema()
                    + "; this build reads schema " + CheckpointMetadata.SCHEMA);
        }
        if (meta.sha256() == null) {
            throw new CheckpointException("checkpoint metadata " + file + " records no sha256 for " + WEIGHTS_FILE);
        }
        return meta;
    }

    private static void verifyWeights(Path dir, Path weights, CheckpointMetadata meta) throws IOException {
        long size = Files.size(weights);
        if (size != meta.sizeBytes()) {
            throw new CheckpointException("checkpoint " + dir + ": " + WEIGHTS_FILE + " has " + size + " bytes but "
                    + METADATA_FILE + " records " + meta.sizeBytes());
        }
        String sha256 = Sha256.hex(weights);
        if (!sha256.equals(meta.sha256())) {
            throw new CheckpointException("checkpoint " + dir + ": " + WEIGHTS_FILE + " has sha256 " + sha256 + " but "
                    + METADATA_FILE + " records " + meta.sha256() + "; the weights are corrupt or were modified");
        }
    }

    private static JsonNode parseJson(Path file) throws CheckpointException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("missing " + file);
        }
        JsonNode json;
        try {
            json = CheckpointJson.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new CheckpointException("cannot parse " + file + ": it is not a JSON object");
        }
        return json;
    }

    private static CheckpointException exists(Path dir, Throwable cause) {
        return new CheckpointException("checkpoint " + dir + " already exists; checkpoint versions are immutable, so "
                + "write a new version instead", cause);
    }
}
