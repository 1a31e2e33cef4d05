package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** SwiGLU feed-forward: down_proj(silu(gate_proj(x)) · up_proj(x)). */
record LlamaMlp(Projection gateProj, Projection upProj, Projection downProj) {

    NDArray forward(NDArray x) {
        NDArray gate = gateProj.forward(x); // [B, T, I]
        NDArray silu = gate.mul(Activation.sigmoid(gate)); // [B, T, I]
        return downProj.forward(silu.mul(upProj.forward(x))); // [B, T, C]
    }

    LlamaMlp adapted(Adapter adapter) {
        return new LlamaMlp(adapter.wrap(gateProj), adapter.wrap(upProj), adapter.wrap(downProj));
    }
}
