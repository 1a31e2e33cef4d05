package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * One forward of a continuous batch over a {@link KvCache}: which slot each row is, how many positions it has cached
 * and how many of the step's T inputs are its real new tokens (a prompt chunk, or the one token being decoded). Gives
 * the model each row's own positions and causal mask, so rows of different lengths need no padding in the cache.
 * Padding inputs of a short row (t >= fresh) write to the slot's scratch position and their outputs are never read.
 */
public final class CacheStep {

    private final KvCache cache;
    private final NDManager manager;
    private final int[] slots;
    private final int[] past;
    private final int[] fresh;
    private final int t;
    private final int width; // S: key positions every row's attention spans
    private NDArray slotIndex; // [B, 1]
    private NDArray positionIndex; // [B, T]

    CacheStep(KvCache cache, NDManager manager, int[] slots, int[] past, int[] fresh, int t) {
        this.cache = cache;
        this.manager = manager;
        this.slots = slots;
        this.past = past;
        this.fresh = fresh;
        this.t = t;
        int w = 0;
        for (int b = 0; b < slots.length; b++) {
            w = Math.max(w, past[b] + fresh[b]);
        }
        this.width = w;
    }

    public int rows() {
        return slots.length;
    }

    /** Positions of the step's inputs, [B, T] int64: row b's input t sits at past[b] + t (padding: clamped). */
    NDArray positions() {
        long[] p = new long[slots.length * t];
        for (int b = 0; b < slots.length; b++) {
            for (int i = 0; i < t; i++) {
                p[b * t + i] = Math.min(past[b] + i, past[b] + fresh[b] - 1);
            }
        }
        return manager.create(p, new Shape(slots.length, t));
    }

    /**
     * Row b's input t may see key s when s <= past[b] + t; keys past the row's length are masked (the float minimum,
     * as HF masks, so a padding query still gets finite scores).
     *
     * @return [B, 1, T, S]
     */
    NDArray bias() {
        float[] bias = new float[slots.length * t * width];
        for (int b = 0; b < slots.length; b++) {
            for (int i = 0; i < t; i++) {
                int last = past[b] + Math.min(i, fresh[b] - 1);
                int row = (b * t + i) * width;
                for (int s = last + 1; s < width; s++) {
                    bias[row + s] = -Float.MAX_VALUE;
                }
            }
        }
        return manager.create(bias, new Shape(slots.length, 1, t, width));
    }

    /** Each row's last real input: x [B, T, C] -> [B, 1, C]. */
    NDArray lastTokens(NDArray x) {
        boolean allLast = true;
        for (int f : fresh) {
            allLast &= f == t;
        }
        if (allLast) {
            return x.get(new NDIndex(":, -1:, :"));
        }
        long[] flat = new long[slots.length];
        for (int b = 0; b < slots.length; b++) {
            flat[b] = (long) b * t + fresh[b] - 1;
        }
        long c = x.getShape().get(2);
        return x.reshape(slots.length * (long) t, c).get(new NDIndex("{}", manager.create(flat)))
                .reshape(slots.length, 1, c);
    }

    /**
     * Stores layer {@code layer}'s new keys and values ([B, H, T, D]) and returns every row's keys and values to
     * attend over, each [B, H, S, D]: a view of the cache when the rows are consecutive slots, else a gather.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        if (slotIndex == null) {
            long[] s = new long[slots.length];
            long[] p = new long[slots.length * t];
            int scratch = cache.maxLength();
            for (int b = 0; b < slots.length; b++) {
                s[b] = slots[b];
                for (int i = 0; i < t; i++) {
                    p[b * t + i] = i < fresh[b] ? past[b] + i : scratch;
                }
            }
            slotIndex = manager.create(s, new Shape(slots.length, 1));
            positionIndex = manager.create(p, new Shape(slots.length, t));
        }
        NDArray[] kv = cache.write(layer, slotIndex, positionIndex, k, v);
        return new NDArray[] {rowsOf(kv[0]), rowsOf(kv[1])};
    }

    private NDArray rowsOf(NDArray all) {
        if (consecutive()) {
            return all.get(new NDIndex("{}:{}, :, :{}, :", slots[0], slots[0] + slots.length, width));
        }
        return all.get(new NDIndex(":, :, :{}, :", width)).get(new NDIndex("{}", slotIndex.reshape(-1)));
    }

    private boolean consecutive() {
        for (int b = 1; b < slots.length; b++) {
            if (slots[b] != slots[0] + b) {
                return false;
            }
        }
        return true;
    }

    /** The view a layer's attention uses: stores its new keys/values and returns all of them. */
    Layer layer(int index) {
        return new Layer(index);
    }

    /** One layer's share of the step, as attention sees it. */
    final class Layer {
        private final int index;

        private Layer(int index) {
            this.index = index;
        }

        /** @return keys and values [B, H, S, D] including the new ones */
        NDArray[] append(NDArray k, NDArray v) {
            return CacheStep.this.append(index, k, v);
        }
    }
}
