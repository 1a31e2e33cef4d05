package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;

/** One pre-norm GPT-2 block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
record Block(LayerNorm ln1, CausalSelfAttention attn, LayerNorm ln2, Mlp mlp) {

    NDArray forward(NDArray x, NDArray maskBias, CacheStep.Layer cache) {
        x = x.add(attn.forward(ln1.forward(x), maskBias, cache)); // [B, T, C]
        return x.add(mlp.forward(ln2.forward(x))); // [B, T, C]
    }

    Block adapted(Adapter adapter) {
        return new Block(ln1, attn.adapted(adapter), ln2, mlp.adapted(adapter));
    }
}
