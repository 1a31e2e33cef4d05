package io.livedpo.policy.train;

/**
 * The one declaration of {@link PretrainRecipe#defaults()}, as strings so that {@code livedpo pretrain}'s options can
 * use them: a model of 4 layers, width 128, 4 heads, 128 positions and a 1,024-token vocabulary, about 1 M weights.
 */
public final class PretrainDefaults {

    public static final String VOCAB_SIZE = "1024";
    public static final String LAYERS = "4";
    public static final String EMBED_DIM = "128";
    public static final String HEADS = "4";
    public static final String CONTEXT_LENGTH = "128";
    public static final String BATCH_SIZE = "16";
    public static final String STEPS = "1000";
    /** nanoGPT's rate for a model this small. */
    public static final String LEARNING_RATE = "1e-3";
    public static final String WARMUP_STEPS = "50";
    /** GPT-3's pre-training decay, on matrices only. */
    public static final String WEIGHT_DECAY = "0.1";
    public static final String MAX_GRAD_NORM = "1.0";
    public static final String SEED = "0";

    private PretrainDefaults() {
    }
}
