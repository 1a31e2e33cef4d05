package io.livedpo.policy.dpo;

import io.livedpo.policy.ManagedArraysTest;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Loss and metric values against arithmetic done by hand on a fixed batch of three pairs. */
class DpoLossTest extends ManagedArraysTest {

    private static final double TOL = 1e-5;

    // Sequence log-probs of the batch; Δ_i = (pc − pr) − (rc − rr) = 1.5, −1, 1.25.
    private static final float[] PC = {-10f, -20f, -7.5f};
    private static final float[] PR = {-12f, -18f, -9f};
    private static final float[] RC = {-11f, -19.5f, -8f};
    private static final float[] RR = {-11.5f, -18.5f, -8.25f};
    private static final float[] CHOSEN_TOKENS = {4f, 10f, 5f};
    private static final float[] REJECTED_TOKENS = {8f, 6f, 3f};


    @Test
    void sigmoidLossAndEveryMetric() {
        DpoResult result = DpoLoss.compute(new DpoConfig(DpoLossType.SIGMOID, 0.5, 0, 0), batch(null));

        double z0 = 0.5 * ((-10.0 + 12.0) - (-11.0 + 11.5)); // 0.75
        double z1 = 0.5 * ((-20.0 + 18.0) - (-19.5 + 18.5)); // -0.5
        double z2 = 0.5 * ((-7.5 + 9.0) - (-8.0 + 8.25)); // 0.625
        double expected = (-logSigmoid(z0) - logSigmoid(z1) - logSigmoid(z2)) / 3;
        assertEquals(expected, result.loss().getFloat(), TOL);

        DpoMetrics m = result.metrics();
        assertEquals(expected, m.loss(), TOL);
        // chosen rewards 0.5·(pc − rc) = 0.5, −0.25, 0.25; rejected 0.5·(pr − rr) = −0.25, 0.25, −0.375
        assertEquals((0.5 - 0.25 + 0.25) / 3, m.rewardsChosen(), TOL);
        assertEquals((-0.25 + 0.25 - 0.375) / 3, m.rewardsRejected(), TOL);
        assertEquals(2.0 / 3, m.rewardsAccuracies(), TOL);
        assertEquals((0.75 - 0.5 + 0.625) / 3, m.rewardsMargins(), TOL);
        assertEquals((-10 - 20 - 7.5) / 3, m.logpsChosen(), TOL);
        assertEquals((-12 - 18 - 9) / 3.0, m.logpsRejected(), TOL);

        Map<String, Double> map = m.asMap();
        assertEquals(List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins",
                "logps/chosen", "logps/rejected"), List.copyOf(map.keySet()));
        assertEquals(2.0 / 3, map.get("rewards/accuracies"), TOL);
        assertEquals(-12.5, map.get("logps/chosen"), TOL);
    }

    @Test
    void sigmoidWithLabelSmoothing() {
        DpoResult result = DpoLoss.compute(new DpoConfig(DpoLossType.SIGMOID, 0.5, 0.2, 0), batch(null));

        double expected = 0;
        for (double z : new double[] {0.75, -0.5, 0.625}) {
            expected += -0.8 * logSigmoid(z) - 0.2 * logSigmoid(-z);
        }
        assertEquals(expected / 3, result.loss().getFloat(), TOL);
    }

    @Test
    void robustWithLabelSmoothing() {
        DpoResult result = DpoLoss.compute(new DpoConfig(DpoLossType.ROBUST, 0.5, 0.2, 0), batch(null));

        double expected = 0;
        for (double z : new double[] {0.75, -0.5, 0.625}) {
            expected += (-0.8 * logSigmoid(z) + 0.2 * logSigmoid(-z)) / (1 - 2 * 0.2);
        }
        assertEquals(expected / 3, result.loss().getFloat(), TOL);
        assertEquals(2.0 / 3, result.metrics().rewardsAccuracies(), TOL);
    }

    @Test
    void robustWithoutSmoothingEqualsSigmoid() {
        float robust = DpoLoss.compute(new DpoConfig(DpoLossType.ROBUST, 0.5, 0, 0), batch(null)).loss().getFloat();
        float sigmoid = DpoLoss.compute(new DpoConfig(DpoLossType.SIGMOID, 0.5, 0, 0), batch(null)).loss().getFloat();
        assertEquals(sigmoid, robust, TOL);
    }

    @Test
    void hingeInBothRegions() {
        // β = 0.5: βΔ = 0.75, −0.5, 0.625, all below the margin 1
        DpoResult linear = DpoLoss.compute(new DpoConfig(DpoLossType.HINGE, 0.5, 0, 0), batch(null));
        assertEquals(((1 - 0.75) + (1 + 0.5) + (1 - 0.625)) / 3, linear.loss().getFloat(), TOL);

        // β = 1: βΔ = 1.5, −1, 1.25; the first and last pairs are past the margin and cost nothing
        DpoResult clipped = DpoLoss.compute(new DpoConfig(DpoLossType.HINGE, 1.0, 0, 0), batch(null));
        assertEquals((0 + 2.0 + 0) / 3, clipped.loss().getFloat(), TOL);
        assertEquals((1.0 - 0.5 + 0.5) / 3, clipped.metrics().rewardsChosen(), TOL);
    }

    @Test
    void ipoNormalisesByLengthInLossAndMetrics() {
        double beta = 0.5;
        DpoResult result = DpoLoss.compute(new DpoConfig(DpoLossType.IPO, beta, 0, 0), batch(null));

        double[] pc = {-10.0 / 4, -20.0 / 10, -7.5 / 5};
        double[] pr = {-12.0 / 8, -18.0 / 6, -9.0 / 3};
        double[] rc = {-11.0 / 4, -19.5 / 10, -8.0 / 5};
        double[] rr = {-11.5 / 8, -18.5 / 6, -8.25 / 3};
        double loss = 0;
        double chosen = 0;
        double rejected = 0;
        int correct = 0;
        for (int i = 0; i < 3; i++) {
            double delta = (pc[i] - pr[i]) - (rc[i] - rr[i]);
            loss += Math.pow(delta - 1 / (2 * beta), 2);
            double chosenReward = beta * (pc[i] - rc[i]);
            double rejectedReward = beta * (pr[i] - rr[i]);
            chosen += chosenReward;
            rejected += rejectedReward;
            correct += chosenReward > rejectedReward ? 1 : 0;
        }
        DpoMetrics m = result.metrics();
        assertEquals(loss / 3, result.loss().getFloat(), TOL);
        assertEquals(chosen / 3, m.rewardsChosen(), TOL);
        assertEquals(rejected / 3, m.rewardsRejected(), TOL);
        assertEquals(correct / 3.0, m.rewardsAccuracies(), TOL);
        assertEquals((chosen - rejected) / 3, m.rewardsMargins(), TOL);
        assertEquals((pc[0] + pc[1] + pc[2]) / 3, m.logpsChosen(), TOL);
        assertEquals((pr[0] + pr[1] + pr[2]) / 3, m.logpsRejected(), TOL);
    }

    @Test
    void sftWeightAddsChosenNll() {
        DpoResult result = DpoLoss.compute(new DpoConfig(DpoLossType.SIGMOID, 0.5, 0, 0.3),
                batch(manager.create(2.5f)));

        double dpo = (-logSigmoid(0.75) - logSigmoid(-0.5) - logSigmoid(0.625)) / 3;
        assertEquals(dpo + 0.3 * 2.5, result.loss().getFloat(), TOL);
        assertEquals(dpo + 0.3 * 2.5, result.metrics().loss(), TOL);
    }

    @Test
    void sftWeightWithoutNllIsRejected() {
        DpoConfig cfg = new DpoConfig(DpoLossType.SIGMOID, 0.1, 0, 0.5);
        assertThrows(IllegalArgumentException.class, () -> DpoLoss.compute(cfg, batch(null)));
    }

    @Test
    void leavesOnlyTheLossOnTheManager() {
        SequenceLogps b = batch(manager.create(1f));
        int before = manager.getManagedArrays().size();
        for (DpoLossType type : DpoLossType.values()) {
            DpoResult result = DpoLoss.compute(new DpoConfig(type, 0.1, 0.1, 1.0), b);
            assertEquals(before + 1, manager.getManagedArrays().size(), type.cliName());
            result.loss().close();
        }
        assertEquals(before, manager.getManagedArrays().size());
    }

    @Test
    void mismatchedBatchIsRejected() {
        NDArray three = manager.create(PC);
        NDArray two = manager.create(new float[] {1f, 2f});
        assertThrows(IllegalArgumentException.class,
                () -> new SequenceLogps(three, two, three, three, three, three, null));
    }

    private SequenceLogps batch(NDArray chosenNll) {
        return new SequenceLogps(manager.create(PC), manager.create(PR), manager.create(RC), manager.create(RR),
                manager.create(CHOSEN_TOKENS), manager.create(REJECTED_TOKENS), chosenNll);
    }

    private static double logSigmoid(double x) {
        return -Math.log(1 + Math.exp(-x));
    }
}
