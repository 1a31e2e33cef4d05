package io.livedpo.policy.train;

/**
 * One batch of next-token prediction: {@code rows} windows of {@code length} input tokens, each with the token that
 * follows every position as its target. Flat row-major arrays, ready to become [B, T] int64 tensors.
 *
 * @param inputs  [B * T] token ids
 * @param targets [B * T] the next token of each input position
 * @param rows    B
 * @param length  T
 */
public record PackedBatch(long[] inputs, long[] targets, int rows, int length) {

    public PackedBatch {
        if (rows < 1 || length < 1 || inputs.length != (long) rows * length || targets.length != inputs.length) {
            throw new IllegalArgumentException("need " + rows + " x " + length + " inputs and targets, got "
                    + inputs.length + " and " + targets.length);
        }
    }

    /** Tokens predicted by this batch: B · T. */
    public long tokens() {
        return (long) rows * length;
    }
}
