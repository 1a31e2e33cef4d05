package io.livedpo.policy.dpo;

import io.livedpo.policy.ManagedArraysTest;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** d loss / d policyChosen through DJL autograd, against the analytic slope and central differences. */
class DpoGradientTest extends ManagedArraysTest {

    private static final float[] PC = {-10f, -20f, -7.5f};
    private static final float[] PR = {-12f, -18f, -9f};
    private static final float[] RC = {-11f, -19.5f, -8f};
    private static final float[] RR = {-11.5f, -18.5f, -8.25f};
    private static final double[] DELTA = {1.5, -1.0, 1.25};


    @Test
    void sigmoidGradientMatchesAnalyticAndFiniteDifference() {
        double beta = 0.5;
        double eps = 0.1;
        DpoConfig cfg = new DpoConfig(DpoLossType.SIGMOID, beta, eps, 0);
        float[] grad = autogradWrtPolicyChosen(cfg, PC, PR, RC, RR);

        for (int i = 0; i < PC.length; i++) {
            double z = beta * DELTA[i];
            double analytic = -beta * (1 - eps) * sigmoid(-z) / 3 + eps * beta * sigmoid(z) / 3;
            assertEquals(analytic, grad[i], 1e-6, "analytic, pair " + i);
            assertEquals(centralDifference(cfg, i), grad[i], 1e-4, "finite difference, pair " + i);
        }
    }

    @Test
    void hingeGradientInItsLinearRegion() {
        double beta = 0.5; // βΔ < 1 for every pair, so loss = mean(1 − βΔ)
        DpoConfig cfg = new DpoConfig(DpoLossType.HINGE, beta, 0, 0);
        float[] grad = autogradWrtPolicyChosen(cfg, PC, PR, RC, RR);

        for (int i = 0; i < PC.length; i++) {
            assertEquals(-beta / 3, grad[i], 1e-6, "analytic, pair " + i);
            assertEquals(centralDifference(cfg, i), grad[i], 1e-4, "finite difference, pair " + i);
        }
    }

    @Test
    void sigmoidSlopeIsExactWhenPolicyEqualsReference() {
        // A fresh LoRA adapter makes policy = reference, so Δ = 0 exactly on the first step.
        DpoConfig cfg = new DpoConfig(DpoLossType.SIGMOID, 0.1, 0, 0);
        float[] grad = autogradWrtPolicyChosen(cfg, PC, PR, PC, PR);
        for (float g : grad) {
            assertEquals(-0.1 * 0.5 / 3, g, 1e-7);
        }
    }

    @Test
    void hugeMarginsGiveFiniteLossAndGradient() {
        float[] pc = {1000f, -1000f};
        float[] zero = {0f, 0f};
        double eps = 0.1;
        for (DpoLossType type : new DpoLossType[] {DpoLossType.SIGMOID, DpoLossType.ROBUST}) {
            DpoConfig cfg = new DpoConfig(type, 1.0, eps, 0);
            float[] grad = autogradWrtPolicyChosen(cfg, pc, zero, zero, zero);
            float loss = DpoLoss.compute(cfg, batch(pc, zero, zero, zero)).loss().getFloat();
            assertTrue(Float.isFinite(loss), type + " loss " + loss);
            assertTrue(Float.isFinite(grad[0]) && Float.isFinite(grad[1]), type.cliName());
            if (type == DpoLossType.SIGMOID) {
                // βΔ = +1000: −0.9·logσ(1000) − 0.1·logσ(−1000) = 100; βΔ = −1000: 0.9·1000 = 900
                assertEquals((100.0 + 900.0) / 2, loss, 1e-3);
                assertEquals(eps / 2, grad[0], 1e-6);
                assertEquals(-(1 - eps) / 2, grad[1], 1e-6);
            }
        }
    }

    private float[] autogradWrtPolicyChosen(DpoConfig cfg, float[] pc, float[] pr, float[] rc, float[] rr) {
        NDArray policyChosen = manager.create(pc);
        policyChosen.setRequiresGradient(true);
        SequenceLogps b = batch(policyChosen, pr, rc, rr);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = DpoLoss.compute(cfg, b).loss();
            collector.backward(loss);
        }
        return policyChosen.getGradient().toFloatArray();
    }

    private double centralDifference(DpoConfig cfg, int index) {
        float h = 0.05f;
        float[] plus = PC.clone();
        float[] minus = PC.clone();
        plus[index] += h;
        minus[index] -= h;
        double up = DpoLoss.compute(cfg, batch(plus, PR, RC, RR)).loss().getFloat();
        double down = DpoLoss.compute(cfg, batch(minus, PR, RC, RR)).loss().getFloat();
        return (up - down) / (2 * h);
    }

    private SequenceLogps batch(float[] pc, float[] pr, float[] rc, float[] rr) {
        return batch(manager.create(pc), pr, rc, rr);
    }

    private SequenceLogps batch(NDArray pc, float[] pr, float[] rc, float[] rr) {
        NDArray tokens = manager.ones(pc.getShape()); // [B], unused outside IPO
        return new SequenceLogps(pc, manager.create(pr), manager.create(rc), manager.create(rr), tokens, tokens, null);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
