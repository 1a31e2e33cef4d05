package io.livedpo.policy.optim;

import io.livedpo.policy.ManagedArraysTest;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientClippingTest extends ManagedArraysTest {


    @Test
    void reportsNormBeforeClippingAndScalesToTheLimit() {
        // global norm sqrt(3² + 4² + 12²) = 13
        NDArray a = manager.create(new float[] {3f, 4f});
        NDArray b = manager.create(new float[] {12f}, new Shape(1, 1));
        List<NDArray> grads = List.of(a, b);

        double norm = GradientClipping.clipGlobalNorm(grads, 6.5f);

        assertEquals(13.0, norm, 1e-6);
        assertEquals(6.5, globalNorm(grads), 1e-4);
        // one common factor keeps the direction
        assertArrayEquals(new float[] {1.5f, 2f}, a.toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {6f}, b.toFloatArray(), 1e-5f);
    }

    @Test
    void leavesGradientsUnderTheLimitAlone() {
        NDArray a = manager.create(new float[] {3f, 4f});
        double norm = GradientClipping.clipGlobalNorm(List.of(a), 5.5f);
        assertEquals(5.0, norm, 1e-6);
        assertArrayEquals(new float[] {3f, 4f}, a.toFloatArray());
    }

    @Test
    void nanGradientIsDetectedAndLeftForTheCallerToSkip() {
        NDArray good = manager.create(new float[] {1f, 2f});
        NDArray bad = manager.create(new float[] {1f, Float.NaN});
        List<NDArray> grads = List.of(good, bad);

        assertTrue(NonFinite.anyNonFinite(grads));
        assertFalse(NonFinite.isFinite(bad));
        assertTrue(Double.isNaN(GradientClipping.clipGlobalNorm(grads, 1f)));
        assertArrayEquals(new float[] {1f, 2f}, good.toFloatArray());
    }

    @Test
    void infinityIsNonFinite() {
        assertFalse(NonFinite.isFinite(manager.create(new float[] {Float.NEGATIVE_INFINITY})));
        assertTrue(NonFinite.isFinite(manager.create(new float[] {0f, -3e38f})));
        assertFalse(NonFinite.anyNonFinite(List.of(manager.create(new float[] {1f}))));
    }

    @Test
    void rejectsNonPositiveLimit() {
        List<NDArray> grads = List.of(manager.create(new float[] {1f}));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGlobalNorm(grads, 0f));
    }

    private static double globalNorm(List<NDArray> grads) {
        double sum = 0;
        for (NDArray grad : grads) {
            for (float x : grad.toFloatArray()) {
                sum += (double) x * x;
            }
        }
        return Math.sqrt(sum);
    }
}
