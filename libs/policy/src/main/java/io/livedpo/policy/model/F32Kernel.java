package io.livedpo.policy.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x·Wᵀ in float32 with Java's Vector API: for small models, where each PyTorch op costs more in dispatch than in
 * arithmetic, and as the float32 twin of {@link Bf16Kernel} (same blocking: four rows share each streamed weight row;
 * the same operations for a row alone or batched).
 */
final class F32Kernel {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final int STEP = 2 * LANES;
    private static final int ROW_BLOCK = 4;

    private F32Kernel() {
    }

    /** Outputs [from, to) of every row. */
    static void multiply(float[] x, int rows, F32Matrix w, float[] y, int from, int to) {
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

    /** a[aOff..aOff+n)·b[bOff..bOff+n): two accumulators over alternating lane blocks, then a scalar tail. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        int i = 0;
        for (; i + STEP <= n; i += STEP) {
            s0 = FloatVector.fromArray(F, b, bOff + i).fma(FloatVector.fromArray(F, a, aOff + i), s0);
            s1 = FloatVector.fromArray(F, b, bOff + i + LANES).fma(FloatVector.fromArray(F, a, aOff + i + LANES), s1);
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** y[o..o+n) += w·x[xOff..xOff+n). */
    static void axpy(float w, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector wv = FloatVector.broadcast(F, w);
        for (; i + LANES <= n; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(wv, FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += w * x[xOff + i];
        }
    }

    /** Four rows against one weight row, each row's operations exactly those of {@link #dot}. */
    private static void dot4(float[] x, int r, F32Matrix m, int j, float[] y) {
        float[] w = m.data();
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
            FloatVector wa = FloatVector.fromArray(F, w, wOff + i);
            FloatVector wb = FloatVector.fromArray(F, w, wOff + i + LANES);
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
            float wi = w[wOff + i];
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
