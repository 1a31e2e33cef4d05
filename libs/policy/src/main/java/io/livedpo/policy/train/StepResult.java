package io.livedpo.policy.train;

import java.util.List;
import java.util.Map;

/**
 * What one optimizer step did.
 *
 * @param step       optimizer steps applied so far (unchanged when skipped)
 * @param applied    false when the batch was skipped and the adapter left untouched
 * @param skipReason {@code nonfinite_loss} or {@code nonfinite_grad} when skipped, else null
 * @param metrics    TRL's names (loss, rewards/*, logps/*) plus grad_norm and learning_rate, computed on the batch
 *                   before this step's update
 * @param pairIds    the pairs of the batch, so a skipped batch can be logged by its pairs
 */
public record StepResult(long step, boolean applied, String skipReason, Map<String, Double> metrics,
                         List<String> pairIds) {
}
