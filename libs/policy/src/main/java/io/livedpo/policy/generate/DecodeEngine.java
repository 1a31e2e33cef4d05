package io.livedpo.policy.generate;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.BasePrecision;
import io.livedpo.policy.model.Gpt2Model;
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

    /** The engine that will run {@code model}: this one, or {@link #TORCH} where this one cannot ({@link #whyNot}). */
    public DecodeEngine forModel(CausalLm model) {
        return whyNot(model) == null ? this : TORCH;
    }

    /**
     * Why this engine cannot run {@code model} in this JVM, or null when it can: the Java engine runs the GPT-2 family
     * and needs the Vector API module (checked before any class that uses it loads, so a JVM without it falls back
     * instead of failing on a missing class).
     */
    public String whyNot(CausalLm model) {
        if (this != JAVA) {
            return null;
        }
        if (!(model instanceof Gpt2Model)) {
            return "the java decode engine runs the GPT-2 family, not " + model.getClass().getSimpleName();
        }
        if (!BasePrecision.vectorModuleLoaded()) {
            return "the java decode engine needs the JVM option --add-modules " + BasePrecision.VECTOR_MODULE;
        }
        return null;
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
