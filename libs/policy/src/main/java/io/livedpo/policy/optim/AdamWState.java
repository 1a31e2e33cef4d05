package io.livedpo.policy.optim;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link AdamW} carries from one step to the next, by parameter name: torch's {@code state["step"]},
 * {@code exp_avg} and {@code exp_avg_sq}. With the parameters and the learning-rate schedule (a function of the step),
 * it is everything that decides the next update.
 *
 * @param steps          updates applied so far; the schedule's next step is {@code steps + 1}
 * @param firstMoments   m per parameter name, shape of the parameter
 * @param secondMoments  v per parameter name, shape of the parameter
 */
public record AdamWState(long steps, Map<String, NDArray> firstMoments, Map<String, NDArray> secondMoments) {

    public AdamWState {
        if (steps < 0) {
            throw new IllegalArgumentException("AdamW steps must be >= 0, got " + steps);
        }
        if (!firstMoments.keySet().equals(secondMoments.keySet())) {
            throw new IllegalArgumentException("AdamW state names differ between first and second moments");
        }
        firstMoments = Collections.unmodifiableMap(new LinkedHashMap<>(firstMoments));
        secondMoments = Collections.unmodifiableMap(new LinkedHashMap<>(secondMoments));
    }
}
