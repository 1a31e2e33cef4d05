package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * softmax(q·kᵀ/sqrt(D) + mask)·v, the eager attention both families share. The 1/sqrt(D) is one tensor made when the
 * model loads (libtorch-owned, so autograd may keep it), not a new scalar per call: decoding runs this per layer per
 * token, and each scalar would cost three native calls.
 *
 * @param scale [] float32, 1/sqrt(D)
 */
record ScaledDotProduct(NDArray scale) {

    static ScaledDotProduct of(NDManager manager, long headDim) {
        return new ScaledDotProduct(manager.full(new Shape(), (float) (1.0 / Math.sqrt(headDim)), DataType.FLOAT32));
    }

    /**
     * @param q        [B, H, T, D]
     * @param k        [B, H, S, D]
     * @param v        [B, H, S, D]
     * @param maskBias [B, 1, T, S]
     * @return [B, H, T, D]
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, NDArray maskBias) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale); // [B, H, T, S]
        NDArray att = scores.add(maskBias).softmax(-1); // [B, H, T, S]
        return att.matMul(v); // [B, H, T, D]
    }
}
