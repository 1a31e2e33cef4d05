package io.livedpo.policy.dpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.livedpo.policy.ManagedArraysTest;
import org.junit.jupiter.api.Test;

/** KTO's loss on single answers against hand-computed values: its reference point z0, the clamp and the detach. */
class KtoLossTest extends ManagedArraysTest {

    private static final double BETA = 0.5;
    /** λ_D 1, λ_U 2: the weights must land on the right kind of vote. */
    private static final KtoConfig CFG = new KtoConfig(1, 1, 2);
    private static final float[] POLICY = {-10f, -20f, -7f};
    private static final float[] REFERENCE = {-11f, -19f, -7f}; // r = 1, −1, 0
    private static final float[] UP = {1f, 0f, 1f};

    @Test
    void lossMatchesHandComputedValuesWithAPositiveReferencePoint() {
        // KL rows: log π − log π_ref = 0.5 and 0.3, so z0 = 0.4.
        KtoLoss.KtoResult r = compute(manager.create(POLICY), new float[] {-5f, -6f}, new float[] {-5.5f, -6.3f});
        double expected = ((1 - sigmoid(BETA * (1 - 0.4)))          // up, r = 1
                + 2 * (1 - sigmoid(BETA * (0.4 - -1)))              // down, r = −1, λ_U = 2
                + (1 - sigmoid(BETA * (0 - 0.4)))) / 3;              // up, r = 0
        assertEquals(expected, r.loss().getFloat(), 1e-6);
        assertEquals(0.4, r.metrics().get("kto/kl"), 1e-6);
        assertEquals(2.0, r.metrics().get("kto/up"));
        assertEquals(1.0, r.metrics().get("kto/down"));
        assertEquals(BETA * (1 + 0) / 2, r.metrics().get("kto/rewards_up"), 1e-6);
        assertEquals(BETA * -1, r.metrics().get("kto/rewards_down"), 1e-6);
    }

    @Test
    void aNegativeKlEstimateIsClampedToZero() {
        // log π − log π_ref = −2 on the KL rows: z0 = max(0, −2) = 0, so only r matters.
        KtoLoss.KtoResult r = compute(manager.create(POLICY), new float[] {-8f, -9f}, new float[] {-6f, -7f});
        double expected = ((1 - sigmoid(BETA)) + 2 * (1 - sigmoid(BETA)) + (1 - sigmoid(0))) / 3;
        assertEquals(expected, r.loss().getFloat(), 1e-6);
        assertEquals(0.0, r.metrics().get("kto/kl"));
    }

    @Test
    void noKlRowsMeanAZeroReferencePoint() {
        KtoLoss.KtoResult none = compute(manager.create(POLICY), new float[0], new float[0]);
        KtoLoss.KtoResult clamped = compute(manager.create(POLICY), new float[] {-8f}, new float[] {-6f});
        assertEquals(clamped.loss().getFloat(), none.loss().getFloat(), 1e-7);
    }

    @Test
    void gradientFlowsIntoTheAnswersButNotIntoTheReferencePoint() {
        NDArray policy = manager.create(POLICY);
        policy.setRequiresGradient(true);
        NDArray policyKl = manager.create(new float[] {-5f, -6f});
        policyKl.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(KtoLoss.compute(BETA, CFG, policy, manager.create(REFERENCE), manager.create(UP),
                    policyKl, manager.create(new float[] {-5.5f, -6.3f})).loss());
        }
        // d/dπ_i of λ_i(1 − σ(m_i))/3 with m_i = β·s_i·(r_i − z0), s = +1 up, −1 down: −λ_i·σ'(m_i)·β·s_i/3.
        double[] margin = {BETA * (1 - 0.4), BETA * (0.4 + 1), BETA * (0 - 0.4)};
        double[] sign = {1, -1, 1};
        double[] lambda = {1, 2, 1};
        float[] grad = policy.getGradient().toFloatArray();
        for (int i = 0; i < 3; i++) {
            double s = sigmoid(margin[i]);
            assertEquals(-lambda[i] * s * (1 - s) * BETA * sign[i] / 3, grad[i], 1e-6, "answer " + i);
        }
        // A thumbs-up pushes its answer's log-prob up, a thumbs-down pushes it down (gradient descent).
        assertEquals(-1, Math.signum(grad[0]));
        assertEquals(1, Math.signum(grad[1]));
        for (float g : policyKl.getGradient().toFloatArray()) {
            assertEquals(0f, g, "z0 is a constant of the step");
        }
    }

    @Test
    void badShapesAndWeightsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> KtoLoss.compute(BETA, CFG, manager.create(POLICY),
                manager.create(new float[] {-1f}), manager.create(UP), manager.create(new float[0]),
                manager.create(new float[0])));
        assertThrows(IllegalArgumentException.class, () -> new KtoConfig(-1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new KtoConfig(1, Double.NaN, 1));
    }

    private KtoLoss.KtoResult compute(NDArray policy, float[] policyKl, float[] referenceKl) {
        return KtoLoss.compute(BETA, CFG, policy, manager.create(REFERENCE), manager.create(UP),
                manager.create(policyKl), manager.create(referenceKl));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
