package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** One pre-norm decoder layer: x + self_attn(input_layernorm(x)), then x + mlp(post_attention_layernorm(x)). */
record LlamaDecoderLayer(RmsNorm inputLayernorm, LlamaAttention selfAttn, RmsNorm postAttentionLayernorm,
                         LlamaMlp mlp) {

    NDArray forward(NDArray x, NDList cosSin, NDArray maskBias, CacheStep.Layer cache) {
        x = x.add(selfAttn.forward(inputLayernorm.forward(x), cosSin, maskBias, cache)); // [B, T, C]
        return x.add(mlp.forward(postAttentionLayernorm.forward(x))); // [B, T, C]
    }

    LlamaDecoderLayer adapted(Adapter adapter) {
        return new LlamaDecoderLayer(inputLayernorm, selfAttn.adapted(adapter), postAttentionLayernorm,
                mlp.adapted(adapter));
    }
}
