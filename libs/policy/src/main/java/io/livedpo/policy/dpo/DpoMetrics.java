package io.livedpo.policy.dpo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Batch metrics as TRL's {@code DPOTrainer} logs them. The implicit reward of a completion is
 * β·(log π − log π_ref); for IPO all log-probs are the length-normalised ones the loss saw.
 *
 * @param loss              the scalar loss, including any SFT term
 * @param rewardsChosen     mean chosen reward
 * @param rewardsRejected   mean rejected reward
 * @param rewardsAccuracies share of pairs whose chosen reward exceeds the rejected one
 * @param rewardsMargins    mean of chosen − rejected reward
 * @param logpsChosen       mean policy log-prob of the chosen completions
 * @param logpsRejected     mean policy log-prob of the rejected completions
 */
public record DpoMetrics(
        float loss,
        float rewardsChosen,
        float rewardsRejected,
        float rewardsAccuracies,
        float rewardsMargins,
        float logpsChosen,
        float logpsRejected) {

    /** Computes the metrics from host copies of the four [B] log-prob vectors. */
    static DpoMetrics of(float loss, double beta, float[] policyChosen, float[] policyRejected,
                         float[] referenceChosen, float[] referenceRejected) {
        int batch = policyChosen.length;
        double chosen = 0;
        double rejected = 0;
        double correct = 0;
        double logpsChosen = 0;
        double logpsRejected = 0;
        for (int i = 0; i < batch; i++) {
            double chosenReward = beta * ((double) policyChosen[i] - referenceChosen[i]);
            double rejectedReward = beta * ((double) policyRejected[i] - referenceRejected[i]);
            chosen += chosenReward;
            rejected += rejectedReward;
            correct += chosenReward > rejectedReward ? 1 : 0;
            logpsChosen += policyChosen[i];
            logpsRejected += policyRejected[i];
        }
        return new DpoMetrics(loss,
                (float) (chosen / batch),
                (float) (rejected / batch),
                (float) (correct / batch),
                (float) ((chosen - rejected) / batch),
                (float) (logpsChosen / batch),
                (float) (logpsRejected / batch));
    }

    /** The metrics under TRL's log keys, in TRL's order. */
    public Map<String, Double> asMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("loss", (double) loss);
        map.put("rewards/chosen", (double) rewardsChosen);
        map.put("rewards/rejected", (double) rewardsRejected);
        map.put("rewards/accuracies", (double) rewardsAccuracies);
        map.put("rewards/margins", (double) rewardsMargins);
        map.put("logps/chosen", (double) logpsChosen);
        map.put("logps/rejected", (double) logpsRejected);
        return Collections.unmodifiableMap(map);
    }
}
