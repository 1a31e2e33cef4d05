package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;

/** {@code nn.Linear}: y = x·Wᵀ + b with W stored [out, in]; bias null when the checkpoint has none. */
record Linear(String path, NDArray weight, NDArray bias) implements Projection {

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = x.matMul(weight.transpose()); // [B, T, in] @ [in, out] -> [B, T, out]
        return bias == null ? y : y.add(bias);
    }

    @Override
    public long inFeatures() {
        return weight.getShape().get(1);
    }

    @Override
    public long outFeatures() {
        return weight.getShape().get(0);
    }

    @Override
    public NDArray weightPlus(NDArray deltaOutIn) {
        return weight.add(deltaOutIn); // [out, in]
    }

    @Override
    public boolean fanInFanOut() {
        return false;
    }
}
