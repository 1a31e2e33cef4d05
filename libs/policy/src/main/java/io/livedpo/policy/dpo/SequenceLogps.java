package io.livedpo.policy.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.Objects;

/**
 * The per-example sequence log-probabilities of one preference batch, the input of {@link DpoLoss}.
 * Log-probs are sums over completion tokens only (prompt tokens excluded).
 *
 * @param policyChosen      log π(chosen | prompt) [B], differentiable
 * @param policyRejected    log π(rejected | prompt) [B], differentiable
 * @param referenceChosen   log π_ref(chosen | prompt) [B], carries no gradient
 * @param referenceRejected log π_ref(rejected | prompt) [B], carries no gradient
 * @param chosenTokens      completion length of each chosen sequence, as float [B]
 * @param rejectedTokens    completion length of each rejected sequence, as float [B]
 * @param chosenNll         scalar: mean NLL over all chosen completion tokens of the batch (TRL's RPO
 *                          {@code nll_loss}); may be null when the config's sftWeight is 0
 */
public record SequenceLogps(
        NDArray policyChosen,
        NDArray policyRejected,
        NDArray referenceChosen,
        NDArray referenceRejected,
        NDArray chosenTokens,
        NDArray rejectedTokens,
        NDArray chosenNll) {

    public SequenceLogps {
        Shape batch = requireVector(policyChosen, "policyChosen").getShape();
        requireSameBatch(policyRejected, "policyRejected", batch);
        requireSameBatch(referenceChosen, "referenceChosen", batch);
        requireSameBatch(referenceRejected, "referenceRejected", batch);
        requireSameBatch(chosenTokens, "chosenTokens", batch);
        requireSameBatch(rejectedTokens, "rejectedTokens", batch);
        if (chosenNll != null && chosenNll.size() != 1) {
            throw new IllegalArgumentException("chosenNll must be a scalar, got shape " + chosenNll.getShape());
        }
    }

    /** The batch size B. */
    public int batchSize() {
        return Math.toIntExact(policyChosen.size());
    }

    private static NDArray requireVector(NDArray array, String name) {
        Objects.requireNonNull(array, name);
        if (array.getShape().dimension() != 1 || array.size() == 0) {
            throw new IllegalArgumentException(name + " must be a non-empty [B] vector, got shape " + array.getShape());
        }
        return array;
    }

    private static void requireSameBatch(NDArray array, String name, Shape batch) {
        if (!requireVector(array, name).getShape().equals(batch)) {
            throw new IllegalArgumentException(
                    name + " has shape " + array.getShape() + " but policyChosen has " + batch);
        }
    }
}
