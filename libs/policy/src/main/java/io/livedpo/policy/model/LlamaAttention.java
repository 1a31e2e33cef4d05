package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Grouped-query causal self-attention with rotary positions, as HF's LlamaAttention computes it (eager): H query
 * heads share KV key/value heads, query head h reading key/value head h / (H / KV). The cache keeps the KV heads.
 */
record LlamaAttention(Projection qProj, Projection kProj, Projection vProj, Projection oProj, int heads, int kvHeads,
                      int headDim, ScaledDotProduct sdp) {

    /**
     * @param x        [B, T, C]
     * @param cosSin   rotary cos and sin from {@link RotaryEmbedding#cosSin}, each [B, 1, T, D]
     * @param maskBias [B, 1, T, S] from {@link AttentionMask#bias}
     * @param cache    this layer's keys and values from earlier steps, or null
     */
    NDArray forward(NDArray x, NDList cosSin, NDArray maskBias, CacheStep.Layer cache) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray q = RotaryEmbedding.apply(splitHeads(qProj.forward(x), b, t, heads), cosSin); // [B, H, T, D]
        NDArray k = RotaryEmbedding.apply(splitHeads(kProj.forward(x), b, t, kvHeads), cosSin); // [B, KV, T, D]
        NDArray v = splitHeads(vProj.forward(x), b, t, kvHeads); // [B, KV, T, D]
        if (cache != null) {
            NDArray[] kv = cache.append(k, v); // 2 x [B, KV, S, D]
            k = kv[0];
            v = kv[1];
        }
        NDArray y = sdp.attend(q, repeatKv(k), repeatKv(v), maskBias); // [B, H, T, D]
        y = y.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * headDim); // [B, T, H·D]
        return oProj.forward(y); // [B, T, C]
    }

    LlamaAttention adapted(Adapter adapter) {
        return new LlamaAttention(adapter.wrap(qProj), adapter.wrap(kProj), adapter.wrap(vProj), adapter.wrap(oProj),
                heads, kvHeads, headDim, sdp);
    }

    private NDArray splitHeads(NDArray x, long b, long t, int n) {
        return x.reshape(b, t, n, headDim).transpose(0, 2, 1, 3); // [B, T, n·D] -> [B, n, T, D]
    }

    /** HF's repeat_kv: [B, KV, S, D] -> [B, H, S, D], each KV head repeated H / KV times in a row. */
    private NDArray repeatKv(NDArray kv) {
        int rep = heads / kvHeads;
        if (rep == 1) {
            return kv;
        }
        Shape s = kv.getShape(); // [B, KV, S, D]
        return kv.expandDims(2).broadcast(new Shape(s.get(0), kvHeads, rep, s.get(2), s.get(3))) // [B, KV, rep, S, D]
                .reshape(s.get(0), (long) heads, s.get(2), s.get(3));
    }
}
