package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** ln_1, ln_2, ln_f: normalise over the embedding axis, then scale and shift. */
record LayerNorm(NDArray weight, NDArray bias, float epsilon) {

    NDArray forward(NDArray x) {
        // x: [B, T, C] -> [B, T, C]
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, epsilon)
                .singletonOrThrow();
    }
}
