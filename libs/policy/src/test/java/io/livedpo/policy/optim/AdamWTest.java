package io.livedpo.policy.optim;

import io.livedpo.policy.ManagedArraysTest;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest extends ManagedArraysTest {


    @Test
    void twoStepsMatchHandComputedAdamW() {
        double lr = 0.01;
        double wd = 0.1;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double[] p = {0.5, -1.0, 2.0};
        double[][] grads = {{0.1, -0.3, 0.02}, {-0.2, 0.1, 0.05}};

        NDArray param = parameter(p);
        AdamW adamW = new AdamW(List.of(param), AdamWConfig.defaults().withWeightDecay(wd));
        for (double[] g : grads) {
            adamW.step(List.of(manager.create(toFloat(g))), (float) lr);
        }

        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 2; t++) {
            double[] g = grads[t - 1];
            for (int i = 0; i < 3; i++) {
                p[i] -= lr * wd * p[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(beta1, t));
                double vHat = v[i] / (1 - Math.pow(beta2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        assertArrayEquals(toFloat(p), param.toFloatArray(), 1e-6f);
        assertArrayEquals(toFloat(m), adamW.firstMoment(0).toFloatArray(), 1e-7f);
        assertArrayEquals(toFloat(v), adamW.secondMoment(0).toFloatArray(), 1e-9f);
        assertEquals(2, adamW.steps());
    }

    @Test
    void weightDecayIsDecoupledFromTheGradient() {
        NDArray param = parameter(new double[] {1.0, -2.0});
        AdamW adamW = new AdamW(List.of(param), AdamWConfig.defaults().withWeightDecay(0.5));

        adamW.step(List.of(manager.zeros(param.getShape())), 0.1f);

        // Adam's own update is 0 / (0 + eps) = 0; only the decay p·(1 − lr·wd) acts.
        assertArrayEquals(new float[] {0.95f, -1.9f}, param.toFloatArray(), 1e-7f);
    }

    @Test
    void stepsInsideAnOpenCollectorAndRestoresGradMode() {
        NDArray param = parameter(new double[] {1.0, 2.0});
        AdamW adamW = new AdamW(List.of(param));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(param.square().sum());
            // An in-place update of a leaf that requires grad would throw if autograd were recording.
            adamW.step(List.of(param.getGradient()), 0.1f);
            assertTrue(JniUtils.isGradMode());
        }
        assertFalse(JniUtils.isGradMode());
        assertTrue(param.hasGradient());
        assertArrayEquals(new float[] {0.9f, 1.9f}, param.toFloatArray(), 1e-6f);
    }

    @Test
    void rejectsMismatchedGradients() {
        AdamW adamW = new AdamW(List.of(parameter(new double[] {1.0, 2.0})));
        assertThrows(IllegalArgumentException.class, () -> adamW.step(List.of(), 0.1f));
        assertThrows(IllegalArgumentException.class,
                () -> adamW.step(List.of(manager.zeros(new ai.djl.ndarray.types.Shape(3))), 0.1f));
        assertEquals(0, adamW.steps());
    }

    private NDArray parameter(double[] values) {
        NDArray param = manager.create(toFloat(values));
        param.setRequiresGradient(true);
        return param;
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
