package io.livedpo.policy.model;

/**
 * One projection's LoRA update for the Java engine: y += scaling · (x·Aᵀ)·Bᵀ, with A [rank, in] and B stored
 * transposed, [rank, out], so the up-projection is {@code rank} vector multiply-adds over the outputs.
 */
public record LowRank(float[] a, float[] bTransposed, int rank, int in, int out, float scaling) {

    public LowRank {
        if (a.length != rank * in || bTransposed.length != rank * out) {
            throw new IllegalArgumentException("LoRA of rank " + rank + " for [" + out + ", " + in + "] needs A of "
                    + rank * in + " and B of " + rank * out + " values, got " + a.length + " and " + bTransposed.length);
        }
    }

    /** From PEFT's A [rank, in] and B [out, rank], row-major. */
    public static LowRank of(float[] a, float[] b, int rank, int in, int out, float scaling) {
        float[] bt = new float[b.length];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < rank; k++) {
                bt[k * out + o] = b[o * rank + k];
            }
        }
        return new LowRank(a, bt, rank, in, out, scaling);
    }

    /** Adds this update for one row: x[xOff..xOff+in) into y[yOff..yOff+out). */
    void addTo(float[] x, int xOff, float[] y, int yOff) {
        for (int k = 0; k < rank; k++) {
            float down = F32Kernel.dot(x, xOff, a, k * in, in);
            F32Kernel.axpy(scaling * down, bTransposed, k * out, y, yOff, out);
        }
    }
}
