package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;

/** The feed-forward half of a GPT-2 block: expand to 4C, gelu_new, project back. */
record Mlp(Projection cFc, Projection cProj, GeluNew gelu) {

    NDArray forward(NDArray x) {
        NDArray h = cFc.forward(x); // [B, T, 4C]
        return cProj.forward(gelu.apply(h)); // [B, T, C]
    }

    Mlp adapted(Adapter adapter) {
        return new Mlp(adapter.wrap(cFc), adapter.wrap(cProj), gelu);
    }
}
