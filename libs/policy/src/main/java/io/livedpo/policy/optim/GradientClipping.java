package io.livedpo.policy.optim;

import io.livedpo.policy.nd.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.List;

/**
 * Global-norm gradient clipping with torch's {@code clip_grad_norm_} semantics: all gradients are scaled
 * together, so their direction is kept. (DJL's {@code optClipGrad} clamps each element to ±c instead.)
 */
public final class GradientClipping {

    /** Added to the norm before dividing, as torch does, so a norm just above the limit stays finite. */
    private static final double EPS = 1e-6;

    private GradientClipping() {
    }

    /**
     * Scales {@code grads} in place by maxNorm / (norm + 1e-6) when their global L2 norm exceeds maxNorm.
     * A non-finite norm is returned as is and leaves the gradients untouched, for the caller to skip the batch.
     *
     * @return the global L2 norm before clipping
     */
    public static double clipGlobalNorm(List<NDArray> grads, float maxNorm) {
        if (!(maxNorm > 0) || !Float.isFinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm must be a positive number, got " + maxNorm);
        }
        try (NoGrad ignored = NoGrad.enter(); NDScope temporaries = new NDScope()) {
            // Norm of per-tensor norms, as torch computes it; summed in double on the host.
            double sumOfSquares = 0;
            for (NDArray grad : grads) {
                double norm = grad.norm().getFloat(); // []
                sumOfSquares += norm * norm;
            }
            double total = Math.sqrt(sumOfSquares);
            if (Double.isFinite(total) && total > maxNorm) {
                float scale = (float) (maxNorm / (total + EPS));
                for (NDArray grad : grads) {
                    grad.muli(scale);
                }
            }
            return total;
        }
    }
}
