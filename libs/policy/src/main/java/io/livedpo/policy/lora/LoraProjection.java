package io.livedpo.policy.lora;

import io.livedpo.policy.nd.Scalars;
import ai.djl.ndarray.NDArray;
import io.livedpo.policy.model.Projection;

/** A base projection with PEFT's LoRA update added: y = base(x) + x·Aᵀ·Bᵀ·(alpha/r). */
record LoraProjection(Projection base, NDArray a, NDArray b, float scaling) implements Projection {

    @Override
    public NDArray forward(NDArray x) {
        NDArray down = x.matMul(a.transpose()); // [B, T, in] @ [in, r] -> [B, T, r]
        return base.forward(x).add(Scalars.mul(down.matMul(b.transpose()), scaling)); // + [B, T, r] @ [r, out]
    }

    @Override
    public String path() {
        return base.path();
    }

    @Override
    public long inFeatures() {
        return base.inFeatures();
    }

    @Override
    public long outFeatures() {
        return base.outFeatures();
    }

    @Override
    public NDArray weight() {
        return base.weight();
    }

    @Override
    public NDArray weightPlus(NDArray deltaOutIn) {
        return base.weightPlus(deltaOutIn);
    }

    @Override
    public boolean fanInFanOut() {
        return base.fanInFanOut();
    }
}
