package io.livedpo.policy.checkpoint;

import ai.djl.ndarray.NDArray;
import io.livedpo.policy.lora.LoraConfig;
import java.util.Map;

/**
 * An adapter read from disk. Closing it frees the tensors, e.g. once a serving replica has swapped to a newer one.
 *
 * @param config   rank, alpha and target modules from adapter_config.json
 * @param tensors  PEFT-named tensors ({@code ...lora_A.weight} [r, in], {@code ...lora_B.weight} [out, r]), FLOAT32
 * @param metadata livedpo.json, or null for a plain PEFT adapter that has none
 */
public record LoadedAdapter(LoraConfig config, Map<String, NDArray> tensors, CheckpointMetadata metadata)
        implements AutoCloseable {

    @Override
    public void close() {
        tensors.values().forEach(NDArray::close);
    }
}
