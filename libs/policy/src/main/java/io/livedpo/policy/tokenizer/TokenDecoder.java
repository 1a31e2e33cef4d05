package io.livedpo.policy.tokenizer;

/** Turns generated ids into text; the tokenizer in production, a stand-in where only token counts matter. */
@FunctionalInterface
public interface TokenDecoder {

    String decode(long[] ids);
}
