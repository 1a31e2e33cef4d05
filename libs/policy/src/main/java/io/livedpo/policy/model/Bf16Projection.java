package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A base projection multiplied in bfloat16 ({@link Bf16Kernel}) for inference. {@code base} keeps the float32 weight
 * for what reads it (merging an adapter, the embedding the head is tied to); only {@link #forward} uses the copy.
 */
record Bf16Projection(Projection base, Bf16Matrix weight16, float[] bias) implements WrappedProjection {

    /** @param bias [out] float32, added in the same pass (one native op fewer per projection), or null */
    Bf16Projection {
        if (bias != null && bias.length != weight16.out()) {
            throw new IllegalArgumentException(base.path() + ": bias of " + bias.length + " for " + weight16.out()
                    + " outputs");
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape(); // [..., in]
        int rows = Math.toIntExact(shape.size() / weight16.in());
        float[] y = Bf16Kernel.multiply(x.toFloatArray(), rows, weight16, bias); // [rows, out]
        return x.getManager().create(y, shape.slice(0, shape.dimension() - 1).add(weight16.out())); // [..., out]
    }
}
