package io.livedpo.policy.lora;

import io.livedpo.policy.model.WrappedProjection;
import io.livedpo.policy.nd.Scalars;
import ai.djl.ndarray.NDArray;
import io.livedpo.policy.model.Projection;

/** A base projection with PEFT's LoRA update added: y = base(x) + x·Aᵀ·Bᵀ·(alpha/r). */
record LoraProjection(Projection base, NDArray a, NDArray b, float scaling) implements WrappedProjection {

    @Override
    public NDArray forward(NDArray x) {
        NDArray down = x.matMul(a.transpose()); // [B, T, in] @ [in, r] -> [B, T, r]
        return base.forward(x).add(Scalars.mul(down.matMul(b.transpose()), scaling)); // + [B, T, r] @ [r, out]
    }
}
