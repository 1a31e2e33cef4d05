package io.livedpo.policy.train;

/**
 * The one declaration of the DPO, LoRA and optimizer defaults. Strings, because annotations (SmallRye's
 * {@code @WithDefault}, picocli's {@code defaultValue}) accept only compile-time constants; {@link TrainConfig#defaults()}
 * and the library's other {@code defaults()} parse the same strings.
 */
public final class TrainDefaults {

    /** TRL's {@code loss_type}. */
    public static final String LOSS = "sigmoid";

    /** TRL's β. */
    public static final String BETA = "0.1";

    /** TRL's: no assumed label noise. */
    public static final String LABEL_SMOOTHING = "0";

    /** TRL's {@code rpo_alpha=None}: {@code livedpo train} reproduces TRL's DPO, so no chosen-answer NLL term. */
    public static final String SFT_WEIGHT = "0";

    /**
     * RPO on by default where pairs come from the policy's own answers (the live trainer, {@code simulate-offline}):
     * without it DPO pushes both likelihoods down until answers ramble (measured in docs/BENCHMARKS.md).
     */
    public static final String ON_POLICY_SFT_WEIGHT = "1.0";

    /** Larger than TRL's 5e-7 full fine-tuning rate: a LoRA adapter starts at zero and learns through rank r. */
    public static final String LEARNING_RATE = "5e-4";

    public static final String WARMUP_STEPS = "10";

    /** {@link LrDecay}: the rate stays at its peak after the warm-up (TRL's default {@code lr_scheduler_type} decays
     * linearly to 0 over a known run; the live loop has no end, so no decay unless one is chosen). */
    public static final String LR_SCHEDULE = "constant";

    /** {@link LrDecay}: inverse-sqrt holds the peak this many steps; cosine decays over this many after the warm-up. */
    public static final String LR_DECAY_STEPS = "50";

    /** {@link LrDecay}: the decayed rate never falls under this fraction of the peak. */
    public static final String MIN_LR_RATIO = "0.1";

    /** TRL's {@code max_grad_norm}. */
    public static final String MAX_GRAD_NORM = "1.0";

    /** torch's AdamW decays by default; TRL's DPO runs without it, and the adapter is small. */
    public static final String WEIGHT_DECAY = "0";

    /** Pairs per optimizer step. */
    public static final String BATCH_SIZE = "8";

    /** PEFT's usual LoRA shape: rank 8, alpha 16 (scaling 2). */
    public static final String LORA_RANK = "8";

    public static final String LORA_ALPHA = "16";

    /** {@link OnlineRecipe}: one optimizer step per new mini-batch. */
    public static final String STEPS_PER_BATCH = "1";

    /** {@link OnlineRecipe}: no replay of earlier pairs. */
    public static final String REPLAY_SIZE = "0";

    public static final String REPLAY_PER_STEP = "0";

    /** {@link OnlineRecipe}: the base stays the reference (0: no TR-DPO refresh). */
    public static final String REFRESH_EVERY = "0";

    public static final String REFRESH_ALPHA = "1";

    /** {@link OnlineRecipe}: pairs from any earlier version train (negative: no staleness limit). */
    public static final String MAX_STALENESS = "-1";

    /**
     * {@link io.livedpo.policy.dpo.KtoConfig}: single thumbs votes do not train (0). The offline study of a weight is in
     * docs/LEARNING.md ("The thumbs votes that never pair").
     */
    public static final String UNPAIRED_WEIGHT = "0";

    /** TRL's KTO {@code desirable_weight}. */
    public static final String UNPAIRED_DESIRABLE_WEIGHT = "1";

    /** TRL's KTO {@code undesirable_weight}. */
    public static final String UNPAIRED_UNDESIRABLE_WEIGHT = "1";

    private TrainDefaults() {
    }
}
