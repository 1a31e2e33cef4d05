package io.livedpo.policy.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x·Wᵀ with W in bfloat16, widened to float32 in registers and accumulated in float32: what llama.cpp and Jlama
 * do to stream half the bytes per decoded token. PyTorch's CPU path cannot (DJL aborts on any BF16 tensor, and its
 * F16 matmul is several times slower than F32 here; docs/BENCHMARKS.md).
 *
 * <p>Every row of x gets the same sequence of operations whether it is multiplied alone or with others, so a row's
 * result does not depend on its batch. It and {@link F32Kernel} use {@code jdk.incubator.vector}: the JVM needs
 * {@code --add-modules jdk.incubator.vector} once BF16 or the Java engine is chosen
 * ({@link BasePrecision#requireAvailable()}).
 */
final class Bf16Kernel {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(F.vectorBitSize()));
    private static final int LANES = F.length();
    private static final int STEP = 2 * LANES;
    /** Rows that share each streamed weight row. */
    private static final int ROW_BLOCK = 4;

    private static volatile boolean warm;

    private Bf16Kernel() {
    }

    /**
     * Runs both paths until the JIT has compiled them with the Vector API intrinsics. Until then each vector op is an
     * object on the heap: measured in serving, the first requests after start-up waited 10–20 s for their first token.
     * Called when a model loads in bf16, so that cost lands before readiness, not on users. About a second, once.
     */
    static void warmUp() {
        if (warm) {
            return;
        }
        int in = 256;
        int out = 64;
        Bf16Matrix m = new Bf16Matrix(new short[out * in], out, in);
        float[] x = new float[ROW_BLOCK * in];
        float[] y = new float[ROW_BLOCK * out];
        for (int i = 0; i < 2_000; i++) {
            multiply(x, 1, m, y, 0, out);
            multiply(x, ROW_BLOCK, m, y, 0, out);
        }
        warm = true;
    }

    /** @param x [rows, in] row-major @return y [rows, out] */
    static float[] multiply(float[] x, int rows, Bf16Matrix w) {
        return multiply(x, rows, w, null);
    }

    /** @param x [rows, in] row-major @param bias [out] or null @return y [rows, out] = x·Wᵀ + bias */
    static float[] multiply(float[] x, int rows, Bf16Matrix w, float[] bias) {
        return w.times(x, rows, bias);
    }

    /** Outputs [from, to) of every row. */
    static void multiply(float[] x, int rows, Bf16Matrix w, float[] y, int from, int to) {
        int r = 0;
        for (; r + ROW_BLOCK <= rows; r += ROW_BLOCK) {
            for (int j = from; j < to; j++) {
                dot4(x, r, w, j, y);
            }
        }
        for (; r < rows; r++) {
            for (int j = from; j < to; j++) {
                y[r * w.out() + j] = dot(x, r * w.in(), w.data(), j * w.in(), w.in());
            }
        }
    }

    private static FloatVector widen(short[] w, int offset) {
        return ((IntVector) ShortVector.fromArray(S, w, offset).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** One row: two accumulators over alternating lane blocks, then a scalar tail. */
    private static float dot(float[] x, int xOff, short[] w, int wOff, int n) {
        FloatVector a = FloatVector.zero(F);
        FloatVector b = FloatVector.zero(F);
        int i = 0;
        for (; i + STEP <= n; i += STEP) {
            a = widen(w, wOff + i).fma(FloatVector.fromArray(F, x, xOff + i), a);
            b = widen(w, wOff + i + LANES).fma(FloatVector.fromArray(F, x, xOff + i + LANES), b);
        }
        float s = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += x[xOff + i] * Bf16Matrix.widen(w[wOff + i]);
        }
        return s;
    }

    /** Four rows against one weight row, each row's operations exactly those of {@link #dot}. */
    private static void dot4(float[] x, int r, Bf16Matrix m, int j, float[] y) {
        short[] w = m.data();
        int n = m.in();
        int wOff = j * n;
        int x0 = r * n;
        int x1 = x0 + n;
        int x2 = x1 + n;
        int x3 = x2 + n;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector b0 = a0;
        FloatVector a1 = a0;
        FloatVector b1 = a0;
        FloatVector a2 = a0;
        FloatVector b2 = a0;
        FloatVector a3 = a0;
        FloatVector b3 = a0;
        int i = 0;
        for (; i + STEP <= n; i += STEP) {
            FloatVector wa = widen(w, wOff + i);
            FloatVector wb = widen(w, wOff + i + LANES);
            a0 = wa.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            b0 = wb.fma(FloatVector.fromArray(F, x, x0 + i + LANES), b0);
            a1 = wa.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            b1 = wb.fma(FloatVector.fromArray(F, x, x1 + i + LANES), b1);
            a2 = wa.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            b2 = wb.fma(FloatVector.fromArray(F, x, x2 + i + LANES), b2);
            a3 = wa.fma(FloatVector.fromArray(F, x, x3 + i), a3);
            b3 = wb.fma(FloatVector.fromArray(F, x, x3 + i + LANES), b3);
        }
        float s0 = a0.add(b0).reduceLanes(VectorOperators.ADD);
        float s1 = a1.add(b1).reduceLanes(VectorOperators.ADD);
        float s2 = a2.add(b2).reduceLanes(VectorOperators.ADD);
        float s3 = a3.add(b3).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float wi = Bf16Matrix.widen(w[wOff + i]);
            s0 += x[x0 + i] * wi;
            s1 += x[x1 + i] * wi;
            s2 += x[x2 + i] * wi;
            s3 += x[x3 + i] * wi;
        }
        int out = m.out();
        y[r * out + j] = s0;
        y[(r + 1) * out + j] = s1;
        y[(r + 2) * out + j] = s2;
        y[(r + 3) * out + j] = s3;
    }
}
