package io.livedpo.policy.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Temperature, then top-k, then top-p (nucleus), then one categorical draw: the order HF's and vLLM's samplers apply
 * them in.
 */
final class FilteredSampler implements Sampler {

    private final float temperature;
    private final int topK;
    private final float topP;

    FilteredSampler(float temperature, int topK, float topP) {
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
    }

    @Override
    public int sample(float[] logits, SplittableRandom rng) {
        int[] order = topK == 0 && topP >= 1f ? identity(logits.length) : byLogitDescending(logits);
        int keep = topK > 0 ? Math.min(topK, order.length) : order.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < keep; i++) {
            max = Math.max(max, logits[order[i]] / temperature);
        }
        double[] probs = new double[keep]; // unnormalised softmax over the kept tokens
        double total = 0;
        for (int i = 0; i < keep; i++) {
            probs[i] = Math.exp(logits[order[i]] / temperature - max);
            total += probs[i];
        }
        if (topP < 1f) {
            double cumulative = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += probs[i] / total;
                if (cumulative >= topP) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += probs[i];
            }
        }
        double r = rng.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            r -= probs[i];
            if (r < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Token ids sorted by logit, highest first, ties by lower id; one primitive sort of packed (logit, id) keys. */
    private static int[] byLogitDescending(float[] logits) {
        long[] keys = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // orders like the float, as a signed int
            keys[i] = ((long) ~sortable << 32) | i; // ~ flips the order: highest logit sorts first
        }
        Arrays.sort(keys);
        int[] order = new int[logits.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }
}
