package io.livedpo.policy.nd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Array-by-number arithmetic for code that autograd differentiates. DJL's {@code x.mul(Number)} wraps the number in a
 * tensor over a Java direct buffer ({@code torch::from_blob}), runs the op and closes that tensor at once; autograd
 * still holds the scalar for the backward pass, and once the garbage collector frees the buffer the backward reads
 * whatever reuses the memory — NaN or wrong gradients at random steps. Here the number is a {@code torch::full} tensor,
 * whose storage libtorch owns and keeps alive as long as the graph needs it, so closing our handle at once is safe.
 * Use these wherever an operand is saved for backward (mul, div, pow, maximum); add and sub save none.
 */
public final class Scalars {

    private Scalars() {
    }

    public static NDArray mul(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.mul(s);
        }
    }

    public static NDArray div(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.div(s);
        }
    }

    public static NDArray pow(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.pow(s);
        }
    }

    public static NDArray maximum(NDArray x, double v) {
        try (NDArray s = of(x, v)) {
            return x.maximum(s);
        }
    }

    private static NDArray of(NDArray like, double v) {
        return like.getManager().full(new Shape(), (float) v, like.getDataType()); // [] in libtorch-owned memory
    }
}
