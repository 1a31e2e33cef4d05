package io.livedpo.policy.generate;

/**
 * One decoded sequence.
 *
 * @param text         the new text, cut before a stop string if one matched
 * @param ids          the new token ids (EOS excluded; the tokens of a matched stop string included)
 * @param finishReason "stop" (EOS or a stop string) or "length" (max tokens or the context ran out), as OpenAI names them
 */
public record Generation(String text, long[] ids, String finishReason) {

    public static final String STOP = "stop";
    public static final String LENGTH = "length";
}
