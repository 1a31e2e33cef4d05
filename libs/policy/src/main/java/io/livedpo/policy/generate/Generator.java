package io.livedpo.policy.generate;

import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Decodes a fixed set of prompts together: every prompt admitted to one {@link ContinuousBatch}, stepped until all
 * have finished. Each sequence has its own sampler and random stream, so its text depends only on its prompt, params
 * and seed, not on what it was batched with.
 */
public final class Generator {

    private final CausalLm model;
    private final TokenDecoder tokenizer;

    public Generator(CausalLm model, TokenDecoder tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public List<Generation> generate(List<long[]> prompts, List<SamplingParams> params, LoraAdapter adapter) {
        return generate(prompts, params, adapter, TextListener.NONE);
    }

    /** As {@link #generate(List, List, LoraAdapter)}, telling {@code listener} each sequence's new text per step. */
    public List<Generation> generate(List<long[]> prompts, List<SamplingParams> params, LoraAdapter adapter,
                                     TextListener listener) {
        if (prompts.size() != params.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need one SamplingParams per prompt, and at least one prompt");
        }
        return generateMixed(prompts, params, Collections.nCopies(prompts.size(), adapter), listener);
    }

    /**
     * As {@link #generate(List, List, LoraAdapter, TextListener)} with an adapter per prompt (null for the base): the
     * rows of each forward mix adapters over the shared base weights.
     */
    public List<Generation> generateMixed(List<long[]> prompts, List<SamplingParams> params,
                                          List<LoraAdapter> adapters, TextListener listener) {
        int b = prompts.size();
        if (params.size() != b || adapters.size() != b || b == 0) {
            throw new IllegalArgumentException("need one SamplingParams and adapter per prompt, and at least one prompt");
        }
        // Every prompt prefilled in the first step: the budget covers them all.
        int promptTokens = prompts.stream().mapToInt(p -> Math.max(1, p.length)).sum();
        List<DecodingSequence> seqs = new ArrayList<>(b);
        try (NoGrad off = NoGrad.enter();
             ContinuousBatch batch = new ContinuousBatch(model, tokenizer, new BatchLimits(b, b + promptTokens))) {
            for (int i = 0; i < b; i++) {
                int row = i;
                seqs.add(batch.admit(prompts.get(i), params.get(i), adapters.get(i),
                        listener == TextListener.NONE ? null : delta -> listener.onText(row, delta)));
            }
            while (batch.running() > 0) {
                batch.step();
            }
        }
        return seqs.stream().map(DecodingSequence::result).toList();
    }
}
