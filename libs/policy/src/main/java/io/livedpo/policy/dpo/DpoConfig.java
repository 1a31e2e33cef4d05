package io.livedpo.policy.dpo;

import io.livedpo.policy.train.TrainDefaults;
import java.util.Objects;

/**
 * DPO hyper-parameters, named after TRL's {@code DPOConfig}.
 *
 * @param lossType       which preference loss to apply
 * @param beta           β: scale of the implicit reward; larger keeps the policy closer to the reference
 * @param labelSmoothing ε: assumed rate of flipped preference labels; only SIGMOID and ROBUST use it
 * @param sftWeight      RPO's {@code rpo_alpha}: weight of the chosen-completion NLL added to the loss
 */
public record DpoConfig(DpoLossType lossType, double beta, double labelSmoothing, double sftWeight) {

    public static final double DEFAULT_BETA = Double.parseDouble(TrainDefaults.BETA);

    public DpoConfig {
        Objects.requireNonNull(lossType, "lossType");
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("DPO beta must be a positive number, got " + beta);
        }
        // ROBUST divides by 1 − 2ε, and ε ≥ 0.5 would mean the labels carry no (or inverted) signal.
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new IllegalArgumentException("DPO label smoothing must be in [0, 0.5), got " + labelSmoothing);
        }
        if (!(sftWeight >= 0) || !Double.isFinite(sftWeight)) {
            throw new IllegalArgumentException("DPO sftWeight must be a finite number >= 0, got " + sftWeight);
        }
    }

    /** The given loss with {@link TrainDefaults}' (TRL's): β = 0.1, no label smoothing, no SFT term. */
    public static DpoConfig of(DpoLossType lossType) {
        return new DpoConfig(lossType, DEFAULT_BETA, Double.parseDouble(TrainDefaults.LABEL_SMOOTHING),
                Double.parseDouble(TrainDefaults.SFT_WEIGHT));
    }

    public static DpoConfig defaults() {
        return of(DpoLossType.parse(TrainDefaults.LOSS));
    }
}
