package io.livedpo.policy.train;

import io.livedpo.policy.model.Gpt2Config;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.optim.WarmupCosine;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides what {@link Pretraining} produces from a corpus: tokenizer size, model shape, and the
 * optimisation (AdamW with betas 0.9/0.95 as GPT-3 and nanoGPT use for pre-training, warm-up then cosine decay to a
 * tenth of the peak, global-norm clipping).
 *
 * @param vocabSize     tokens of the trained BPE, {@code <|endoftext|>} included (fewer if the corpus runs out of
 *                      pairs to merge)
 * @param layers        transformer blocks
 * @param embedDim      width C
 * @param heads         attention heads; C must divide by it
 * @param contextLength T: positions of the model and length of each training window
 * @param batchSize     windows per optimizer step
 * @param steps         optimizer steps
 * @param learningRate  peak learning rate
 * @param warmupSteps   linear warm-up steps, at most {@code steps}
 * @param weightDecay   decoupled weight decay on the matrices
 * @param maxGradNorm   global gradient-norm clip
 * @param seed          weight initialisation and document order
 */
public record PretrainRecipe(int vocabSize, int layers, int embedDim, int heads, int contextLength, int batchSize,
                             long steps, float learningRate, long warmupSteps, double weightDecay, float maxGradNorm,
                             long seed) {

    /** The cosine ends at this fraction of the peak rate. */
    public static final float MIN_LR_RATIO = 0.1f;

    public PretrainRecipe {
        if (vocabSize < 257) {
            throw new IllegalArgumentException("vocab size must be >= 257 (256 bytes + <|endoftext|>), got "
                    + vocabSize);
        }
        if (layers < 1 || embedDim < 1 || heads < 1 || contextLength < 2 || batchSize < 1 || steps < 1) {
            throw new IllegalArgumentException("layers, embd, heads, batch size and steps must be >= 1 and the"
                    + " context >= 2: " + this);
        }
        if (embedDim % heads != 0) {
            throw new IllegalArgumentException("embd " + embedDim + " does not divide into " + heads + " heads");
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        if (warmupSteps < 0 || warmupSteps > steps) {
            throw new IllegalArgumentException("warm-up must be in [0, steps=" + steps + "], got " + warmupSteps);
        }
    }

    /** {@link PretrainDefaults}: about 1 M weights. */
    public static PretrainRecipe defaults() {
        return new PretrainRecipe(Integer.parseInt(PretrainDefaults.VOCAB_SIZE), Integer.parseInt(PretrainDefaults.LAYERS),
                Integer.parseInt(PretrainDefaults.EMBED_DIM), Integer.parseInt(PretrainDefaults.HEADS),
                Integer.parseInt(PretrainDefaults.CONTEXT_LENGTH), Integer.parseInt(PretrainDefaults.BATCH_SIZE),
                Long.parseLong(PretrainDefaults.STEPS), Float.parseFloat(PretrainDefaults.LEARNING_RATE),
                Long.parseLong(PretrainDefaults.WARMUP_STEPS), Double.parseDouble(PretrainDefaults.WEIGHT_DECAY),
                Float.parseFloat(PretrainDefaults.MAX_GRAD_NORM), Long.parseLong(PretrainDefaults.SEED));
    }

    /** The GPT-2 shape for a tokenizer of {@code vocab} tokens whose last is {@code <|endoftext|>} (BOS and EOS). */
    public Gpt2Config modelConfig(int vocab) {
        return new Gpt2Config(vocab, contextLength, embedDim, layers, heads, 1e-5f, vocab - 1, vocab - 1);
    }

    public CausalLmConfig trainerConfig() {
        return new CausalLmConfig(new WarmupCosine(learningRate, learningRate * MIN_LR_RATIO, warmupSteps, steps),
                maxGradNorm, new AdamWConfig(0.9, 0.95, 1e-8, weightDecay));
    }

    /** The recipe under snake_case names, for training.json. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", vocabSize);
        m.put("n_layer", layers);
        m.put("n_embd", embedDim);
        m.put("n_head", heads);
        m.put("n_positions", contextLength);
        m.put("batch_size", batchSize);
        m.put("steps", steps);
        m.put("learning_rate", learningRate);
        m.put("min_learning_rate", learningRate * MIN_LR_RATIO);
        m.put("lr_schedule", "warmup_cosine");
        m.put("warmup_steps", warmupSteps);
        m.put("adam_betas", new double[] {0.9, 0.95});
        m.put("weight_decay", weightDecay);
        m.put("max_grad_norm", maxGradNorm);
        m.put("seed", seed);
        return m;
    }
}
