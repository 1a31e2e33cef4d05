package io.livedpo.policy.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;
import io.livedpo.policy.nd.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * KTO's loss on single answers, following TRL's {@code KTOTrainer.kto_loss}. With r = log π(y|x) − log π_ref(y|x)
 * and z0 = max(0, mean over the KL rows of log π − log π_ref), detached:
 * <ul>
 *   <li>a thumbs-up answer: λ_D·(1 − σ(β(r − z0)))</li>
 *   <li>a thumbs-down answer: λ_U·(1 − σ(β(z0 − r)))</li>
 * </ul>
 * The loss is the mean over the answers. z0 is the reference point: an answer counts as desirable only by raising its
 * log-ratio above what the policy's drift from the reference already gives every answer, so a thumbs-up cannot be
 * bought by raising every answer's likelihood. It is a constant of the step, as in TRL: no gradient flows into it.
 */
public final class KtoLoss {

    private KtoLoss() {
    }

    /**
     * @param policy      log π(y|x) of the voted answers [U], differentiable
     * @param reference   log π_ref(y|x) of the same [U]
     * @param up          1 for a thumbs-up answer, 0 for a thumbs-down one, as float [U]
     * @param policyKl    log π of the KL rows [K] (TRL: each prompt with another example's answer); K = 0 gives z0 = 0
     * @param referenceKl log π_ref of the KL rows [K]
     */
    public static KtoResult compute(double beta, KtoConfig cfg, NDArray policy, NDArray reference, NDArray up,
                                    NDArray policyKl, NDArray referenceKl) {
        Objects.requireNonNull(cfg, "cfg");
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta must be > 0, got " + beta);
        }
        if (policy.getShape().dimension() != 1 || policy.size() == 0 || !policy.getShape().equals(reference.getShape())
                || !policy.getShape().equals(up.getShape())) {
            throw new IllegalArgumentException("policy, reference and up must be the same non-empty [U] vector, got "
                    + policy.getShape() + ", " + reference.getShape() + ", " + up.getShape());
        }
        if (!policyKl.getShape().equals(referenceKl.getShape())) {
            throw new IllegalArgumentException("KL rows' shapes differ: " + policyKl.getShape() + ", "
                    + referenceKl.getShape());
        }
        NDArray loss;
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (NDScope ignored = new NDScope()) {
            float z0 = 0;
            if (policyKl.size() > 0) {
                // A host float: the reference point is a constant of the step, never differentiated.
                z0 = Math.max(0f, policyKl.stopGradient().sub(referenceKl.stopGradient()).mean().getFloat());
            }
            NDArray ratio = policy.sub(reference.stopGradient()); // [U]
            NDArray down = up.neg().add(1f); // [U]
            // Signed margin: β(r − z0) for a thumbs-up, β(z0 − r) for a thumbs-down.
            NDArray sign = Scalars.mul(up, 2.0).sub(1f); // [U]
            NDArray margin = Scalars.mul(ratio.sub(z0).mul(sign), beta); // [U]
            NDArray weights = Scalars.mul(up, cfg.desirableWeight()).add(Scalars.mul(down, cfg.undesirableWeight()));
            loss = Activation.sigmoid(margin).neg().add(1f).mul(weights).mean(); // []
            float[] r = ratio.stopGradient().toFloatArray();
            float[] u = up.toFloatArray();
            double upSum = 0;
            double downSum = 0;
            int ups = 0;
            for (int i = 0; i < r.length; i++) {
                if (u[i] > 0.5f) {
                    upSum += beta * r[i];
                    ups++;
                } else {
                    downSum += beta * r[i];
                }
            }
            metrics.put("kto/loss", (double) loss.getFloat());
            metrics.put("kto/kl", (double) z0);
            metrics.put("kto/up", (double) ups);
            metrics.put("kto/down", (double) (r.length - ups));
            // Only for the kinds present: JSON has no NaN.
            if (ups > 0) {
                metrics.put("kto/rewards_up", upSum / ups);
            }
            if (ups < r.length) {
                metrics.put("kto/rewards_down", downSum / (r.length - ups));
            }
            NDScope.unregister(loss);
        }
        NDScope.register(loss);
        return new KtoResult(loss, metrics);
    }

    /**
     * @param loss    differentiable scalar [], the mean over the answers, before {@link KtoConfig#weight()}
     * @param metrics host-side values for logging
     */
    public record KtoResult(NDArray loss, Map<String, Double> metrics) {
    }
}
