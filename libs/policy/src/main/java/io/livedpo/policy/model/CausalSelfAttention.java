package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.livedpo.policy.lora.LoraAdapter;

/** Multi-head causal self-attention, as HF's GPT2Attention computes it (scaled by 1/sqrt(head_dim)). */
final class CausalSelfAttention {

    private final Conv1D cAttn; // [C, 3C]: q, k, v in one projection
    private final Conv1D cProj; // [C, C]
    private final int heads;
    private final float scale;

    CausalSelfAttention(Conv1D cAttn, Conv1D cProj, int heads) {
        this.cAttn = cAttn;
        this.cProj = cProj;
        this.heads = heads;
        this.scale = (float) (1.0 / Math.sqrt(cProj.inFeatures() / (double) heads));
    }

    /**
     * @param x       [B, T, C]
     * @param maskBias [B, 1, T, S] 0 where query t may attend key s (causal, not padding), the float minimum elsewhere
     * @param cache   this layer's keys and values from earlier steps, or null
     */
    NDArray forward(NDArray x, NDArray maskBias, LoraAdapter adapter, KvCache.Layer cache) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long c = x.getShape().get(2);
        NDList qkv = cAttn.forward(x, adapter).split(3, 2); // 3 x [B, T, C]
        NDArray q = splitHeads(qkv.get(0), b, t); // [B, H, T, D]
        NDArray k = splitHeads(qkv.get(1), b, t); // [B, H, T, D]
        NDArray v = splitHeads(qkv.get(2), b, t); // [B, H, T, D]
        if (cache != null) {
            k = cache.appendKeys(k); // [B, H, S, D]
            v = cache.appendValues(v); // [B, H, S, D]
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale); // [B, H, T, S]
        NDArray att = scores.add(maskBias).softmax(-1); // [B, H, T, S]
        NDArray y = att.matMul(v); // [B, H, T, D]
        y = y.transpose(0, 2, 1, 3).reshape(b, t, c); // [B, T, C]
        return cProj.forward(y, adapter); // [B, T, C]
    }

    private NDArray splitHeads(NDArray x, long b, long t) {
        return x.reshape(b, t, heads, -1).transpose(0, 2, 1, 3); // [B, T, C] -> [B, H, T, D]
    }
}
