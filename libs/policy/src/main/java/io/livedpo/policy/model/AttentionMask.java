package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/** Positions and the additive causal + padding mask of one forward step, the same for every family. */
final class AttentionMask {

    private AttentionMask() {
    }

    /**
     * Positions of the step's T tokens, counting real tokens only, so a left-padded prompt starts at 0 as it would
     * alone (HF generate does this).
     *
     * @param attentionMask [B, S] over cached + new positions
     * @return [B, T] int64
     */
    static NDArray positions(NDArray attentionMask, long t, int contextLength) {
        long past = attentionMask.getShape().get(1) - t;
        NDArray positions = attentionMask.cumSum(1).sub(1).maximum(0).get(new NDIndex(":, {}:", past)); // [B, T]
        long lastPosition = positions.max().getLong();
        if (lastPosition >= contextLength) {
            throw new IllegalArgumentException("sequence of " + (lastPosition + 1)
                    + " tokens exceeds the model's context of " + contextLength);
        }
        return positions;
    }

    /**
     * Query t (absolute position past + t) may see key s when s <= past + t and s is a real token. Masked scores get
     * the float minimum rather than -inf, as HF does, so a padding query that may see no key gets a uniform row
     * instead of NaN.
     *
     * @return [B, 1, T, S] 0 where allowed, the float minimum elsewhere
     */
    static NDArray bias(NDArray attentionMask, long t) {
        NDManager m = attentionMask.getManager();
        long s = attentionMask.getShape().get(1);
        long past = s - t;
        NDArray keyPos = m.arange(s).reshape(1, 1, 1, s); // [1, 1, 1, S]
        NDArray queryPos = m.arange(past, past + t).reshape(1, 1, t, 1); // [1, 1, T, 1]
        NDArray causal = keyPos.lte(queryPos); // [1, 1, T, S]
        NDArray real = attentionMask.reshape(-1, 1, 1, s).gt(0); // [B, 1, 1, S]
        NDArray allowed = causal.logicalAnd(real).toType(DataType.FLOAT32, false); // [B, 1, T, S]
        return allowed.neg().add(1f).mul(-Float.MAX_VALUE); // [B, 1, T, S]
    }
}
