package io.livedpo.policy.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.nd.NoGrad;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Batched, padded scoring of completions under the base model or a policy (base + adapter). */
public final class Scorer {

    private final CausalLm model;

    public Scorer(CausalLm model) {
        this.model = model;
    }

    public List<ScoredCompletion> score(List<PromptCompletion> items, LoraAdapter adapter, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1");
        }
        List<ScoredCompletion> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += batchSize) {
            out.addAll(scoreBatch(items.subList(from, Math.min(items.size(), from + batchSize)), adapter));
        }
        return out;
    }

    private List<ScoredCompletion> scoreBatch(List<PromptCompletion> items, LoraAdapter adapter) {
        try (NoGrad off = NoGrad.enter(); NDScope scope = new NDScope()) {
            TokenBatch batch = TokenBatch.of(items, model.config().contextLength(), model.config().eosTokenId(),
                    model.manager());
            NDArray perToken = LogProbs.perToken(model, batch, adapter); // [B, T-1]
            long t1 = perToken.getShape().get(1);
            float[] flat = perToken.toFloatArray();
            List<ScoredCompletion> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                PromptCompletion pc = items.get(i);
                int start = Math.toIntExact(i * t1 + pc.promptIds().length - 1);
                float[] tokens = Arrays.copyOfRange(flat, start, start + pc.completionIds().length);
                double sum = 0;
                for (float v : tokens) {
                    sum += v;
                }
                out.add(new ScoredCompletion(pc.promptIds(), pc.completionIds(), tokens, sum));
            }
            return out;
        }
    }
}
