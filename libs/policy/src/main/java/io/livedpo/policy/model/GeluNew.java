package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * GPT-2's tanh approximation of GELU (HF's "gelu_new"), 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as the
 * identical x·σ(x·(a + b·x²)) with a = 2√(2/π), b = 0.044715·a: six native ops instead of eight plus a scalar tensor
 * each, which per layer per decoded token is much of a small model's time. The constants are made once, when the model
 * loads (libtorch-owned tensors, safe for autograd to keep).
 *
 * @param a [] float32, 2·√(2/π)
 * @param b [] float32, 0.044715·a
 */
record GeluNew(NDArray a, NDArray b) {

    private static final double A = 2 * Math.sqrt(2.0 / Math.PI);

    static GeluNew of(NDManager manager) {
        return new GeluNew(manager.full(new Shape(), (float) A, DataType.FLOAT32),
                manager.full(new Shape(), (float) (0.044715 * A), DataType.FLOAT32));
    }

    NDArray apply(NDArray x) {
        NDArray z = x.mul(x).mul(b).add(a).mul(x); // [..., F]: a·x + b·x³
        return x.mul(Activation.sigmoid(z));
    }
}
