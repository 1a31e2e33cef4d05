package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;

/** input_layernorm, post_attention_layernorm, norm: x / sqrt(mean(x²) + eps) · weight, over the hidden axis. */
record RmsNorm(NDArray weight, float epsilon) {

    NDArray forward(NDArray x) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true); // [B, T, 1]
        return x.div(meanSquare.add(epsilon).sqrt()).mul(weight); // [B, T, C]
    }
}
