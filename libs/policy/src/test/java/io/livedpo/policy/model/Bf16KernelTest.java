package io.livedpo.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class Bf16KernelTest {

    @Test
    void roundsToNearestEvenAsTorchDoes() {
        // Round to nearest even on the 16 dropped bits, which is what torch does casting float32 to bfloat16.
        assertEquals((short) 0x3F80, Bf16Matrix.round(1.0f));
        assertEquals((short) 0xBF80, Bf16Matrix.round(-1.0f));
        assertEquals((short) 0x3F80, Bf16Matrix.round(Float.intBitsToFloat(0x3F808000))); // tie, even stays
        assertEquals((short) 0x3F82, Bf16Matrix.round(Float.intBitsToFloat(0x3F818000))); // tie, odd rounds up
        assertEquals((short) 0x3F81, Bf16Matrix.round(Float.intBitsToFloat(0x3F808001))); // above the tie
        assertEquals((short) 0x7F80, Bf16Matrix.round(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Bf16Matrix.widen(Bf16Matrix.round(Float.NaN))));
        assertEquals(3.140625f, Bf16Matrix.widen(Bf16Matrix.round(3.14159f)));
    }

    @Test
    void conv1dLayoutIsTransposedIntoRows() {
        float[] inOut = {1, 2, 3, 4, 5, 6}; // [in 2, out 3]
        Bf16Matrix m = Bf16Matrix.ofInOut(inOut, 2, 3);
        assertEquals(3, m.out());
        assertEquals(2, m.in());
        assertEquals(4f, m.get(0, 1)); // W[out 0, in 1] = inOut[1][0]
        assertEquals(3f, m.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Bf16Matrix(new short[5], 2, 3));
    }

    @Test
    void multipliesLikeAFloat64ReferenceOverTheSameBf16Weights() {
        SplittableRandom rng = new SplittableRandom(3);
        // Widths around the vector length (tails), one row and a few row blocks plus a remainder.
        for (int in : new int[] {1, 7, 16, 33, 128, 129, 770}) {
            for (int rows : new int[] {1, 3, 4, 9}) {
                int out = 5 + rng.nextInt(40);
                float[] w = gaussian(rng, out * in);
                float[] x = gaussian(rng, rows * in);
                Bf16Matrix m = Bf16Matrix.ofOutIn(w, out, in);
                float[] y = Bf16Kernel.multiply(x, rows, m);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < out; j++) {
                        double want = 0;
                        double scale = 0;
                        for (int i = 0; i < in; i++) {
                            want += (double) x[r * in + i] * m.get(j, i);
                            scale += Math.abs((double) x[r * in + i] * m.get(j, i));
                        }
                        // float32 accumulation of `in` products: error grows with the sum of magnitudes.
                        assertEquals(want, y[r * out + j], 1e-6 * scale + 1e-6, "in " + in + " row " + r + " out " + j);
                    }
                }
            }
        }
    }

    @Test
    void aRowGetsTheSameBitsAloneAsInAnyBatchAndOnAnyThreadSplit() {
        SplittableRandom rng = new SplittableRandom(5);
        int in = 768;
        int out = 3 * 768; // 7 rows × 768 × 2304 multiply-adds: large enough for the parallel path
        Bf16Matrix m = Bf16Matrix.ofOutIn(gaussian(rng, out * in), out, in);
        int rows = 7;
        float[] x = gaussian(rng, rows * in);
        float[] batched = Bf16Kernel.multiply(x, rows, m);
        for (int r = 0; r < rows; r++) {
            float[] alone = Bf16Kernel.multiply(Arrays.copyOfRange(x, r * in, (r + 1) * in), 1, m);
            assertArrayEquals(alone, Arrays.copyOfRange(batched, r * out, (r + 1) * out), "row " + r);
        }
        float[] serial = new float[rows * out];
        Bf16Kernel.multiply(x, rows, m, serial, 0, out);
        assertArrayEquals(serial, batched);
    }

    @Test
    void theCallerFinishesAloneWhenThePoolThreadsGetNoTurn() throws Exception {
        assumeTrue(KernelPool.POOL != null, "one thread: no pool to starve");
        SplittableRandom rng = new SplittableRandom(13);
        int in = 768;
        int out = 2304;
        Bf16Matrix m = Bf16Matrix.ofOutIn(gaussian(rng, out * in), out, in);
        float[] x = gaussian(rng, 2 * in);
        float[] serial = new float[2 * out];
        Bf16Kernel.multiply(x, 2, m, serial, 0, out);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> blockers = new ArrayList<>();
        for (int i = 0; i < 16; i++) { // more than the pool has threads: every one of them is held
            blockers.add(KernelPool.POOL.submit(() -> {
                release.await();
                return null;
            }));
        }
        try {
            // Before chunk claiming the caller waited for its pool share: this would hang until the release.
            float[] y = assertTimeoutPreemptively(Duration.ofMinutes(2), () -> Bf16Kernel.multiply(x, 2, m));
            assertArrayEquals(serial, y);
        } finally {
            release.countDown();
        }
        for (Future<?> f : blockers) {
            f.get();
        }
    }

    @Test
    void addsTheBiasToEveryRow() {
        SplittableRandom rng = new SplittableRandom(9);
        int in = 40;
        int out = 6;
        int rows = 5;
        Bf16Matrix m = Bf16Matrix.ofOutIn(gaussian(rng, out * in), out, in);
        float[] x = gaussian(rng, rows * in);
        float[] bias = gaussian(rng, out);
        float[] plain = Bf16Kernel.multiply(x, rows, m);
        float[] biased = Bf16Kernel.multiply(x, rows, m, bias);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                assertEquals(plain[r * out + j] + bias[j], biased[r * out + j], "row " + r + " out " + j);
            }
        }
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble(-1, 1) + rng.nextDouble(-1, 1));
        }
        return v;
    }
}
