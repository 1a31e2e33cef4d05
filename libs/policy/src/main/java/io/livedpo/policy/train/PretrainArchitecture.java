package io.livedpo.policy.train;

import io.livedpo.policy.model.LlamaConfig;
import io.livedpo.policy.model.LmConfig;

/** The model family {@link Pretraining} builds from a recipe's width, depth, heads and context. */
public enum PretrainArchitecture {

    /** GPT-2: learned positions, LayerNorm, GELU MLP of 4C, tied head. */
    GPT2,

    /**
     * Llama: rotary positions, RMSNorm, SwiGLU of about 8C/3 (rounded up to a multiple of 32, as Llama sizes it, so
     * the MLP has GPT-2's weight count), grouped-query attention with half as many key/value heads, tied head.
     */
    LLAMA;

    /** The shape for a tokenizer of {@code vocab} ids, with config.json's BOS and EOS ids. */
    LmConfig config(PretrainRecipe recipe, int vocab, int bos, int eos) {
        if (this == GPT2) {
            if (bos != vocab - 1 || eos != vocab - 1) {
                throw new IllegalArgumentException("the GPT-2 shape has <|endoftext|> last as BOS and EOS");
            }
            return recipe.modelConfig(vocab);
        }
        int c = recipe.embedDim();
        int heads = recipe.heads();
        int swiGlu = ((8 * c / 3) + 31) / 32 * 32;
        return new LlamaConfig("llama", vocab, recipe.contextLength(), c, swiGlu, recipe.layers(), heads,
                heads % 2 == 0 ? heads / 2 : heads, c / heads, 1e-5f, 10000.0, null, false, false, false, true,
                bos, eos);
    }
}
