package io.livedpo.policy.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Prompt+completion sequences right-padded into one batch.
 *
 * @param inputIds         [B, T] int64
 * @param attentionMask    [B, T] int64, 1 on real tokens
 * @param completionMask   [B, T-1] float32, 1 where the next-token target is a completion token
 * @param completionTokens [B] float32, completion lengths
 */
public record TokenBatch(NDArray inputIds, NDArray attentionMask, NDArray completionMask, NDArray completionTokens) {

    /**
     * @param contextLength the model's context: a longer sequence is refused here, with its index, rather than
     *                      failing inside the forward pass
     */
    public static TokenBatch of(List<PromptCompletion> items, int contextLength, long padId, NDManager m) {
        int b = items.size();
        int t = items.stream().mapToInt(PromptCompletion::length).max().orElseThrow();
        for (int i = 0; i < b; i++) {
            if (items.get(i).length() > contextLength) {
                throw new IllegalArgumentException("sequence " + i + " is " + items.get(i).length()
                        + " tokens (prompt + completion); the model's context is " + contextLength);
            }
        }
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        float[] targets = new float[b * (t - 1)];
        float[] lengths = new float[b];
        for (int i = 0; i < b; i++) {
            PromptCompletion pc = items.get(i);
            int p = pc.promptIds().length;
            int n = pc.length();
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = j < p ? pc.promptIds()[j] : j < n ? pc.completionIds()[j - p] : padId;
                mask[i * t + j] = j < n ? 1 : 0;
            }
            // Target j+1 is predicted at position j: completion tokens sit at p..n-1.
            for (int j = p; j < n; j++) {
                targets[i * (t - 1) + j - 1] = 1f;
            }
            lengths[i] = pc.completionIds().length;
        }
        return new TokenBatch(
                m.create(ids, new Shape(b, t)),
                m.create(mask, new Shape(b, t)),
                m.create(targets, new Shape(b, t - 1)),
                m.create(lengths));
    }
}
