package io.livedpo.policy.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.livedpo.common.Sha256;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.policy.optim.AdamWState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The optimizer state saved inside an adapter checkpoint, in files of its own so the PEFT files stay exactly what
 * {@code PeftModel.from_pretrained} expects: {@code optimizer.safetensors} ({@code <peft name>.exp_avg} and
 * {@code <peft name>.exp_avg_sq}, F32, shape of the parameter) and {@code optimizer.json} ({@link OptimizerMetadata}).
 * Only a trainer resuming a policy reads it; serving neither needs nor receives it.
 */
public final class OptimizerCheckpoint {

    public static final String STATE_FILE = "optimizer.safetensors";
    public static final String METADATA_FILE = "optimizer.json";
    /** The files only training needs: a checkpoint shipped to serving leaves them out (they are twice the adapter). */
    public static final Set<String> TRAINING_ONLY_FILES = Set.of(STATE_FILE, METADATA_FILE);

    private static final String FIRST = ".exp_avg";
    private static final String SECOND = ".exp_avg_sq";

    private OptimizerCheckpoint() {
    }

    /** Writes the state into a checkpoint directory being assembled, bound to the adapter weights' hash. */
    static OptimizerMetadata write(Path dir, AdamWState state, String adapterSha256) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        state.firstMoments().forEach((name, m) -> tensors.put(name + FIRST, m));
        state.secondMoments().forEach((name, v) -> tensors.put(name + SECOND, v));
        Path file = dir.resolve(STATE_FILE);
        Safetensors.write(file, tensors, Map.of("format", "pt"));
        OptimizerMetadata meta = new OptimizerMetadata(OptimizerMetadata.SCHEMA, state.steps(), adapterSha256,
                Sha256.hex(file), Files.size(file));
        CheckpointJson.MAPPER.writeValue(dir.resolve(METADATA_FILE).toFile(), meta);
        return meta;
    }

    /**
     * The optimizer state saved with the checkpoint in {@code dir}, into {@code manager}; empty when it has none (a
     * checkpoint from before optimizer state was saved, from {@code livedpo train}, or a plain PEFT adapter). A state
     * whose file fails its hash, or that was saved with other weights than the checkpoint's, is refused.
     */
    public static Optional<AdamWState> read(Path dir, NDManager manager) throws IOException {
        Path metaFile = dir.resolve(METADATA_FILE);
        if (!Files.isRegularFile(metaFile)) {
            return Optional.empty();
        }
        OptimizerMetadata meta;
        try {
            meta = CheckpointJson.MAPPER.readValue(metaFile.toFile(), OptimizerMetadata.class);
        } catch (JsonProcessingException e) {
            throw new CheckpointException("invalid optimizer metadata " + metaFile + ": " + e.getOriginalMessage(), e);
        }
        if (meta.schema() > OptimizerMetadata.SCHEMA) {
            throw new CheckpointException(metaFile + " has schema " + meta.schema() + "; this build reads schema "
                    + OptimizerMetadata.SCHEMA);
        }
        String weights = AdapterCheckpoint.readMetadata(dir).sha256();
        if (!weights.equals(meta.adapterSha256())) {
            throw new CheckpointException(metaFile + " was saved with adapter weights " + meta.adapterSha256()
                    + " but the checkpoint's are " + weights);
        }
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file) || Files.size(file) != meta.sizeBytes() || !Sha256.hex(file)
                .equals(meta.sha256())) {
            throw new CheckpointException("checkpoint " + dir + ": " + STATE_FILE + " is missing or does not match "
                    + "the size and sha256 " + METADATA_FILE + " records");
        }
        Map<String, NDArray> tensors = Safetensors.read(file, manager);
        Map<String, NDArray> first = new LinkedHashMap<>();
        Map<String, NDArray> second = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(SECOND)) {
                second.put(name.substring(0, name.length() - SECOND.length()), e.getValue());
            } else if (name.endsWith(FIRST)) {
                first.put(name.substring(0, name.length() - FIRST.length()), e.getValue());
            } else {
                tensors.values().forEach(NDArray::close);
                throw new CheckpointException(file + ": tensor '" + name + "' is neither an exp_avg nor an exp_avg_sq");
            }
        }
        try {
            return Optional.of(new AdamWState(meta.steps(), first, second));
        } catch (IllegalArgumentException e) {
            tensors.values().forEach(NDArray::close);
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }
}
