package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** GPT-2's multi-head causal self-attention, as HF's GPT2Attention computes it (scaled by 1/sqrt(head_dim)). */
record CausalSelfAttention(Projection cAttn, Projection cProj, int heads, ScaledDotProduct sdp) {

    /**
     * @param x        [B, T, C]
     * @param maskBias [B, 1, T, S] from {@link AttentionMask#bias}
     * @param cache    this layer's keys and values from earlier steps, or null
     */
    NDArray forward(NDArray x, NDArray maskBias, CacheStep.Layer cache) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long c = x.getShape().get(2);
        NDList qkv = cAttn.forward(x).split(3, 2); // 3 x [B, T, C]
        NDArray q = splitHeads(qkv.get(0), b, t); // [B, H, T, D]
        NDArray k = splitHeads(qkv.get(1), b, t); // [B, H, T, D]
        NDArray v = splitHeads(qkv.get(2), b, t); // [B, H, T, D]
        if (cache != null) {
            NDArray[] kv = cache.append(k, v); // 2 x [B, H, S, D]
            k = kv[0];
            v = kv[1];
        }
        NDArray y = sdp.attend(q, k, v, maskBias); // [B, H, T, D]
        y = y.transpose(0, 2, 1, 3).reshape(b, t, c); // [B, T, C]
        return cProj.forward(y); // [B, T, C]
    }

    CausalSelfAttention adapted(Adapter adapter) {
        return new CausalSelfAttention(adapter.wrap(cAttn), adapter.wrap(cProj), heads, sdp);
    }

    private NDArray splitHeads(NDArray x, long b, long t) {
        return x.reshape(b, t, heads, -1).transpose(0, 2, 1, 3); // [B, T, C] -> [B, H, T, D]
    }
}
