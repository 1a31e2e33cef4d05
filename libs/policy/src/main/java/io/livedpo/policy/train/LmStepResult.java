package io.livedpo.policy.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one {@link CausalLmTrainer} step did; the loss and norm are those of the batch before this step's update.
 *
 * @param step         optimizer steps applied so far (unchanged when skipped)
 * @param applied      false when the batch was skipped and the weights left untouched
 * @param skipReason   {@code nonfinite_loss} or {@code nonfinite_grad} when skipped, else null
 * @param loss         mean next-token cross-entropy in nats
 * @param gradNorm     global L2 norm of the gradients before clipping (NaN when the loss was not finite)
 * @param learningRate the rate applied (0 when skipped)
 * @param tokens       tokens predicted in the batch
 */
public record LmStepResult(long step, boolean applied, String skipReason, double loss, double gradNorm,
                           double learningRate, long tokens) {

    /** The metrics under HF Trainer's names, for a metrics line; the token count is a field of its own. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("grad_norm", gradNorm);
        m.put("learning_rate", learningRate);
        return m;
    }
}
