package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import io.livedpo.policy.lora.LoraAdapter;

/** One pre-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
record Block(LayerNorm ln1, CausalSelfAttention attn, LayerNorm ln2, Mlp mlp) {

    NDArray forward(NDArray x, NDArray maskBias, LoraAdapter adapter, KvCache.Layer cache) {
        x = x.add(attn.forward(ln1.forward(x), maskBias, adapter, cache)); // [B, T, C]
        return x.add(mlp.forward(ln2.forward(x), adapter)); // [B, T, C]
    }
}
