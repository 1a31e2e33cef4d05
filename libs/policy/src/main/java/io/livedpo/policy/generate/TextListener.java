package io.livedpo.policy.generate;

/** Receives each sequence's text as it grows, for streaming responses; called on the decoding thread. */
@FunctionalInterface
public interface TextListener {

    TextListener NONE = (row, delta) -> {
    };

    /**
     * @param row   the sequence's index in the batch
     * @param delta new text since the last call; never a prefix of a stop string that may still match, never half
     *              of a multi-byte character
     */
    void onText(int row, String delta);
}
