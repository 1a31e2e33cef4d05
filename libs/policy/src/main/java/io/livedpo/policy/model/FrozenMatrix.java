package io.livedpo.policy.model;

/**
 * A frozen weight W [out, in] multiplied in Java ({@link Bf16Kernel}, {@link F32Kernel}): row j (one output's
 * weights) is contiguous, so a product streams each row once, and every row of x gets the same operations alone or
 * batched.
 */
public sealed interface FrozenMatrix permits Bf16Matrix, F32Matrix {

    int out();

    int in();

    /** Outputs [from, to) of every row: y[r, j] = x[r]·W[j], for x [rows, in] and y [rows, out] row-major. */
    void multiplyRange(float[] x, int rows, float[] y, int from, int to);

    /** y [rows, out] = x·Wᵀ + bias ({@code bias} [out] or null), the outputs split over {@link KernelPool}. */
    default float[] times(float[] x, int rows, float[] bias) {
        float[] y = new float[rows * out()];
        KernelPool.run(out(), (long) rows * out() * in(), (from, to) -> multiplyRange(x, rows, y, from, to));
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                F32Kernel.axpy(1f, bias, 0, y, r * out(), out());
            }
        }
        return y;
    }
}
