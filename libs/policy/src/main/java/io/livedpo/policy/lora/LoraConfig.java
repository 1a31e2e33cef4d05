package io.livedpo.policy.lora;

import io.livedpo.policy.train.TrainDefaults;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.model.LlamaModel;
import java.util.List;

/**
 * Shape of a LoRA adapter, as PEFT's {@code LoraConfig} names it: {@code r}, {@code lora_alpha}, {@code target_modules}.
 * The update of a target projection is {@code x·Aᵀ·Bᵀ·(alpha/r)}; B starts at zero so a fresh adapter is the base.
 *
 * @param rank          r, the inner dimension of A [r, in] and B [out, r]
 * @param alpha         lora_alpha; the update is scaled by alpha / rank
 * @param targetModules module suffixes inside a block, e.g. {@code attn.c_attn}
 */
public record LoraConfig(int rank, float alpha, List<String> targetModules) {

    /** Every projection of a GPT-2 block: attention in/out and both MLP layers. */
    public static final List<String> GPT2_TARGETS = Gpt2Model.PROJECTIONS;

    /** Every projection of a Llama/Qwen2/Mistral layer: attention q, k, v, o and the three SwiGLU projections. */
    public static final List<String> LLAMA_TARGETS = LlamaModel.PROJECTIONS;

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0) || !Float.isFinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, got " + alpha);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        targetModules = List.copyOf(targetModules);
    }

    public static LoraConfig defaults() {
        return new LoraConfig(Integer.parseInt(TrainDefaults.LORA_RANK), Float.parseFloat(TrainDefaults.LORA_ALPHA),
                GPT2_TARGETS);
    }

    /**
     * PEFT's fan_in_fan_out: true when every target is one of GPT-2's Conv1D modules, whose weights are stored
     * [in, out]; nn.Linear targets (the Llama family) store [out, in].
     */
    public boolean fanInFanOut() {
        return targetModules.stream().allMatch(t -> GPT2_TARGETS.stream()
                .anyMatch(m -> m.equals(t) || m.endsWith("." + t)));
    }

    public float scaling() {
        return alpha / rank;
    }
}
