package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embedding in HF's rotate-half convention: the head dim's first and second halves are the pairs
 * rotated, by angle position · inv_freq[i], inv_freq[i] = theta^(-2i/D), optionally rescaled ({@link RopeScaling}).
 */
final class RotaryEmbedding {

    private final float[] invFreq; // [D/2]

    RotaryEmbedding(int headDim, double theta, RopeScaling scaling) {
        double[] f = new double[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        if (scaling != null) {
            f = scaling.scale(f);
        }
        invFreq = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            invFreq[i] = (float) f[i];
        }
    }

    /** @param positions [B, T] int64 @return cos and sin, each [B, 1, T, D] */
    NDList cosSin(NDArray positions) {
        NDArray inv = positions.getManager().create(invFreq); // [D/2]
        NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(inv); // [B, T, D/2]
        NDArray emb = freqs.concat(freqs, -1).expandDims(1); // [B, 1, T, D]
        return new NDList(emb.cos(), emb.sin());
    }

    /** @param x [B, H, T, D] @return x·cos + rotate_half(x)·sin, [B, H, T, D] */
    static NDArray apply(NDArray x, NDList cosSin) {
        NDList halves = x.split(2, 3); // 2 x [B, H, T, D/2]
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3); // [B, H, T, D]
        return x.mul(cosSin.get(0)).add(rotated.mul(cosSin.get(1)));
    }
}
