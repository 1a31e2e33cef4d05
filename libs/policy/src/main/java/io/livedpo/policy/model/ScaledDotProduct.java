package io.livedpo.policy.model;

import io.livedpo.policy.nd.Scalars;
import ai.djl.ndarray.NDArray;

/** softmax(q·kᵀ/sqrt(D) + mask)·v, the eager attention both families share. */
final class ScaledDotProduct {

    private ScaledDotProduct() {
    }

    /**
     * @param q        [B, H, T, D]
     * @param k        [B, H, S, D]
     * @param v        [B, H, S, D]
     * @param maskBias [B, 1, T, S]
     * @return [B, H, T, D]
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray maskBias) {
        float scale = (float) (1.0 / Math.sqrt(q.getShape().get(3)));
        NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale); // [B, H, T, S]
        NDArray att = scores.add(maskBias).softmax(-1); // [B, H, T, S]
        return att.matMul(v); // [B, H, T, D]
    }
}
