package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;

/** GPT-2's {@code Conv1D}: a linear layer whose weight is stored [in, out] (transposed against nn.Linear). */
record Conv1D(String path, NDArray weight, NDArray bias) implements Projection {

    @Override
    public NDArray forward(NDArray x) {
        return x.matMul(weight).add(bias); // [B, T, in] @ [in, out] -> [B, T, out]
    }

    @Override
    public long inFeatures() {
        return weight.getShape().get(0);
    }

    @Override
    public long outFeatures() {
        return weight.getShape().get(1);
    }

    @Override
    public NDArray weightPlus(NDArray deltaOutIn) {
        return weight.add(deltaOutIn.transpose()); // [in, out]
    }

    @Override
    public boolean fanInFanOut() {
        return true;
    }
}
