package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import io.livedpo.policy.lora.LoraAdapter;

/**
 * GPT-2's {@code Conv1D}: a linear layer whose weight is stored [in, out] (transposed against nn.Linear).
 * A LoRA adapter, when given, adds its low-rank update for this module's path.
 */
record Conv1D(String path, NDArray weight, NDArray bias) {

    NDArray forward(NDArray x, LoraAdapter adapter) {
        NDArray y = x.matMul(weight).add(bias); // [B, T, in] @ [in, out] -> [B, T, out]
        if (adapter == null) {
            return y;
        }
        NDArray delta = adapter.delta(path, x); // [B, T, out] or null when this module is not targeted
        return delta == null ? y : y.add(delta);
    }

    long inFeatures() {
        return weight.getShape().get(0);
    }

    long outFeatures() {
        return weight.getShape().get(1);
    }
}
