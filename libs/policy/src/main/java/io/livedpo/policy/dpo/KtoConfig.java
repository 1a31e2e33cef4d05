package io.livedpo.policy.dpo;

import io.livedpo.policy.train.TrainDefaults;

/**
 * How single thumbs votes (no opposite vote to pair with) train beside the pairs, KTO-style (Ethayarajh et al. 2024;
 * TRL's {@code KTOConfig}). The β is the DPO one, so both terms price a nat of log-ratio alike.
 *
 * @param weight            weight of the singles' mean KTO loss added to the pairs' DPO loss (0: singles are not
 *                          trained on, the trainer is as before)
 * @param desirableWeight   λ_D: weight of a thumbs-up answer's loss (TRL's {@code desirable_weight})
 * @param undesirableWeight λ_U: weight of a thumbs-down answer's loss (TRL's {@code undesirable_weight})
 */
public record KtoConfig(double weight, double desirableWeight, double undesirableWeight) {

    public KtoConfig {
        for (double w : new double[] {weight, desirableWeight, undesirableWeight}) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("KTO weights must be finite numbers >= 0, got " + weight + ", "
                        + desirableWeight + ", " + undesirableWeight);
            }
        }
    }

    /** {@link TrainDefaults}: off. */
    public static KtoConfig defaults() {
        return new KtoConfig(Double.parseDouble(TrainDefaults.UNPAIRED_WEIGHT),
                Double.parseDouble(TrainDefaults.UNPAIRED_DESIRABLE_WEIGHT),
                Double.parseDouble(TrainDefaults.UNPAIRED_UNDESIRABLE_WEIGHT));
    }

    /** True when single votes train at all. */
    public boolean enabled() {
        return weight > 0;
    }
}
