package io.livedpo.policy.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;

/** Log-probabilities of completion tokens given everything before them: the quantity DPO compares. */
public final class LogProbs {

    private LogProbs() {
    }

    /**
     * @return [B, T-1] log p(token j+1 | tokens ..j), zero outside the completion. Differentiable in the adapter.
     */
    public static NDArray perToken(CausalLm model, TokenBatch batch, LoraAdapter adapter) {
        NDArray logits = model.forward(batch.inputIds(), batch.attentionMask(), adapter, null, false); // [B, T, V]
        NDArray logp = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1); // [B, T-1, V]
        NDArray targets = batch.inputIds().get(new NDIndex(":, 1:")).expandDims(-1); // [B, T-1, 1]
        NDArray chosen = logp.gather(targets, 2).squeeze(-1); // [B, T-1]
        return chosen.mul(batch.completionMask()); // [B, T-1]
    }

    /** @return [B] sum of completion-token log-probs per sequence. */
    public static NDArray perSequence(NDArray perToken) {
        return perToken.sum(new int[] {1}); // [B]
    }
}
