package io.livedpo.policy.model;

import io.livedpo.policy.nd.Scalars;
import ai.djl.ndarray.NDArray;

/** The feed-forward half of a GPT-2 block: expand to 4C, gelu_new, project back. */
record Mlp(Projection cFc, Projection cProj) {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    NDArray forward(NDArray x) {
        NDArray h = cFc.forward(x); // [B, T, 4C]
        return cProj.forward(geluNew(h)); // [B, T, C]
    }

    Mlp adapted(Adapter adapter) {
        return new Mlp(adapter.wrap(cFc), adapter.wrap(cProj));
    }

    /** GPT-2's tanh approximation of GELU (HF's "gelu_new"). */
    static NDArray geluNew(NDArray x) {
        NDArray inner = Scalars.mul(x.add(Scalars.mul(Scalars.pow(x, 3), 0.044715f)), (float) SQRT_2_OVER_PI);
        return Scalars.mul(x, 0.5f).mul(inner.tanh().add(1f));
    }
}
