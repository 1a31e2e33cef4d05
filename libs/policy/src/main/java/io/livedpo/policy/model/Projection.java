package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;

/**
 * A learned affine map inside a block, named by its checkpoint path ({@code h.0.attn.c_attn},
 * {@code model.layers.0.self_attn.q_proj}): what LoRA targets and an {@link Adapter} may wrap.
 */
public interface Projection {

    String path();

    /** @param x [..., in] @return [..., out] */
    NDArray forward(NDArray x);

    long inFeatures();

    long outFeatures();

    /** The stored weight, in the checkpoint's layout ([out, in] for nn.Linear, [in, out] for GPT-2's Conv1D). */
    NDArray weight();

    /** The stored weight plus an update given as [out, in] (LoRA's B·A), in the stored layout. */
    NDArray weightPlus(NDArray deltaOutIn);

    /** Whether the weight is stored [in, out], which PEFT calls fan_in_fan_out. */
    boolean fanInFanOut();
}
