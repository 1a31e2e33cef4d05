package io.livedpo.policy.tokenizer;

import java.util.Set;

/** Turns generated ids into text; the tokenizer in production, a stand-in where only token counts matter. */
@FunctionalInterface
public interface TokenDecoder {

    String decode(long[] ids);

    /** Tokens that end a generated answer besides the model config's EOS; none for a stand-in. */
    default Set<Long> stopIds() {
        return Set.of();
    }
}
