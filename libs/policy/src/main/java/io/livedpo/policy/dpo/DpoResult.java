package io.livedpo.policy.dpo;

import ai.djl.ndarray.NDArray;

/**
 * The outcome of {@link DpoLoss#compute}.
 *
 * @param loss    differentiable scalar [] to back-propagate; the caller owns it
 * @param metrics host-side values of the batch for logging
 */
public record DpoResult(NDArray loss, DpoMetrics metrics) {
}
