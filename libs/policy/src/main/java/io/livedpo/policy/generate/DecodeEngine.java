package io.livedpo.policy.generate;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.PackedGpt2;
import java.util.Locale;

/** Which code runs a decoding batch's forward passes. */
public enum DecodeEngine {
    /** PyTorch through DJL ({@link ContinuousBatch}): every model family. */
    TORCH,
    /**
     * Java with the Vector API ({@link PackedBatch}): the GPT-2 family, one packed pass per step with no per-op
     * dispatch; other families fall back to {@link #TORCH}.
     */
    JAVA;

    /** "torch" or "java", any case. */
    public static DecodeEngine parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("decode engine must be torch or java, not '" + value + "'");
        }
    }

    /** The engine that will run {@code model}: this one, or {@link #TORCH} where this one cannot. */
    public DecodeEngine forModel(CausalLm model) {
        return this == JAVA && !PackedGpt2.supports(model) ? TORCH : this;
    }

    /** A new batch over {@code base} on {@link #forModel this engine for it}. */
    public DecodeBatch newBatch(PolicyModel base, BatchLimits limits) {
        return forModel(base.model()) == JAVA ? new PackedBatch(base.model(), base.packed(), base.tokenizer(), limits)
                : new ContinuousBatch(base.model(), base.tokenizer(), limits);
    }

    /**
     * One sequence decoded alone on this engine, its whole prompt prefilled in one step: what a single request costs
     * (the CLI's {@code generate --engine}).
     */
    public Generation decodeAlone(PolicyModel base, long[] prompt, SamplingParams params, LoraAdapter adapter) {
        try (DecodeBatch batch = newBatch(base, new BatchLimits(1, Math.max(2, prompt.length + 1)))) {
            DecodingSequence s = batch.admit(prompt, params, adapter, null);
            while (batch.running() > 0) {
                batch.step();
            }
            return s.result();
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
