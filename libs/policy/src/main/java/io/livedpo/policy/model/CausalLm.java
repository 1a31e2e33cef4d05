package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only language model with frozen base weights: GPT-2 ({@link Gpt2Model}) or the Llama family
 * ({@link LlamaModel}: Llama, Qwen2, Mistral). Generation, scoring and DPO see only this interface.
 */
public interface CausalLm extends AutoCloseable {

    LmConfig config();

    /** How the frozen projections and head are multiplied; only {@link BasePrecision#F32} can be trained through. */
    BasePrecision precision();

    /** The manager owning the base weights; per-call work goes on sub-managers of it. */
    NDManager manager();

    /**
     * The whole forward pass.
     *
     * @param inputIds      [B, T] int64 token ids of this step (all of them, or each row's new ones when decoding)
     * @param attentionMask [B, T] int64, 1 = real token, 0 = padding; unused (may be null) with a cache, whose step
     *                      knows each row's positions
     * @param adapter       a policy's change of the projections (LoRA), or null for the base (the DPO reference)
     * @param cache         the rows' slots in a {@link KvCache}, whose keys/values this forward extends in place;
     *                      null to attend only within inputIds
     * @param lastOnly      logits for each row's last position only (its last real token with a cache)
     * @return logits [B, T, V], or [B, 1, V] with lastOnly
     */
    NDArray forward(NDArray inputIds, NDArray attentionMask, Adapter adapter, CacheStep cache, boolean lastOnly);

    /** Every projection an adapter may wrap, by module path, in layer order. */
    Map<String, Projection> projections();

    /** Base weights by the names {@link #writeFiles} stores them under (read-only view). */
    Map<String, NDArray> weights();

    /** What PEFT puts before a module path in adapter tensor names ({@code base_model.model.} + HF module name). */
    String peftPrefix();

    /** LoRA target_modules when the user names none: every projection of a block, as PEFT users usually choose. */
    List<String> defaultLoraTargets();

    /** Writes config.json and model.safetensors (F32) for {@code weights}, named as {@link #weights()} names them. */
    void writeFiles(Path dir, Map<String, NDArray> weights) throws IOException;

    @Override
    void close();

    /** Fresh random weights for a config of either family (benchmarks, pre-training from scratch). */
    static CausalLm random(LmConfig config, long seed, NDManager parent) {
        if (config instanceof Gpt2Config gpt2) {
            return Gpt2Model.random(gpt2, seed, parent);
        }
        if (config instanceof LlamaConfig llama) {
            return LlamaModel.random(llama, seed, parent);
        }
        throw new IllegalArgumentException("no model family for " + config);
    }

    /** Opens a Hugging Face model directory of any supported family, chosen by config.json's model_type. */
    static CausalLm load(Path dir, NDManager parent) throws IOException {
        return load(dir, parent, BasePrecision.F32);
    }

    /** As {@link #load(Path, NDManager)}, its frozen projections and head multiplied at {@code precision}. */
    static CausalLm load(Path dir, NDManager parent, BasePrecision precision) throws IOException {
        precision.requireAvailable();
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IOException("not a Hugging Face model directory: missing " + config);
        }
        String type = new ObjectMapper().readTree(config.toFile()).path("model_type").asText("gpt2");
        if (type.equals("gpt2")) {
            return Gpt2Model.load(dir, parent, precision);
        }
        if (LlamaConfig.MODEL_TYPES.contains(type)) {
            return LlamaModel.load(dir, parent, precision);
        }
        throw new IOException(config + ": model_type '" + type + "' is not supported (gpt2, "
                + String.join(", ", LlamaConfig.MODEL_TYPES) + ")");
    }
}
