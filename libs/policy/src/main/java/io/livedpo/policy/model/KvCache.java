package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for a fixed number of sequence slots, so each new token costs one position of
 * attention instead of the whole prefix. Each layer's arrays are allocated once, [slots, H, capacity, D], on the first
 * write and reused for every sequence that later takes a slot: a step writes its new positions in place instead of
 * growing the cache by concatenation. A sequence's tokens sit at positions 0.. of its slot, never padded, so rows of
 * different lengths need no left padding. Single-threaded, like the decoding loop that owns it.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final int slots;
    private final int capacity;
    private final NDArray[] keys; // per layer [slots, H, capacity, D], null until the first write
    private final NDArray[] values;
    private final int[] lengths; // cached positions per slot

    /**
     * @param slots    sequences held at once
     * @param capacity positions per slot: the model's context plus one scratch position that padding tokens of a
     *                 ragged step write to (see {@link CacheStep})
     */
    public KvCache(NDManager parent, int layerCount, int slots, int capacity) {
        if (slots < 1 || capacity < 2) {
            throw new IllegalArgumentException("a KV cache needs >= 1 slot and >= 2 positions");
        }
        this.manager = parent.newSubManager();
        this.slots = slots;
        this.capacity = capacity;
        this.keys = new NDArray[layerCount];
        this.values = new NDArray[layerCount];
        this.lengths = new int[slots];
    }

    /** A cache for {@code slots} sequences of up to the model's context. */
    public static KvCache forModel(CausalLm model, NDManager parent, int slots) {
        return new KvCache(parent, model.config().layers(), slots, model.config().contextLength() + 1);
    }

    public int slots() {
        return slots;
    }

    /** The positions a sequence may fill: the context; the last position of a slot is the padding scratch. */
    public int maxLength() {
        return capacity - 1;
    }

    /** Positions cached for the sequence in {@code slot}. */
    public int length(int slot) {
        return lengths[slot];
    }

    /** Frees a slot for the next sequence; its stale keys are never read again (they are overwritten first). */
    public void clear(int slot) {
        lengths[slot] = 0;
    }

    /** Moves a sequence from one slot to a free one (copies its cached positions), freeing {@code from}. */
    public void move(int from, int to) {
        if (from == to) {
            return;
        }
        int n = lengths[from];
        if (n > 0) {
            NDIndex src = new NDIndex("{}, :, :{}, :", from, n);
            NDIndex dst = new NDIndex("{}, :, :{}, :", to, n);
            for (int l = 0; l < keys.length; l++) {
                if (keys[l] != null) {
                    try (NDArray k = keys[l].get(src); NDArray v = values[l].get(src)) {
                        keys[l].set(dst, k);
                        values[l].set(dst, v);
                    }
                }
            }
        }
        lengths[to] = n;
        lengths[from] = 0;
    }

    /** Exchanges the sequences of two slots (their cached positions and lengths). */
    public void swap(int a, int b) {
        if (a == b) {
            return;
        }
        int na = lengths[a];
        int nb = lengths[b];
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                swapRows(keys[l], a, b);
                swapRows(values[l], a, b);
            }
        }
        lengths[a] = nb;
        lengths[b] = na;
    }

    private static void swapRows(NDArray all, int a, int b) {
        NDIndex ia = new NDIndex("{}", a);
        NDIndex ib = new NDIndex("{}", b);
        try (NDArray viewA = all.get(ia); NDArray rowA = viewA.duplicate(); NDArray viewB = all.get(ib);
             NDArray rowB = viewB.duplicate()) {
            all.set(ia, rowB);
            all.set(ib, rowA);
        }
    }

    /**
     * Binds the rows of the next forward to slots and advances the slots' lengths by their new tokens.
     *
     * @param m        where the step's index and mask arrays go (the step's scope)
     * @param rowSlots the slot of each row, distinct
     * @param fresh    real new tokens of each row, 1..t; the rest of the row's t inputs is padding
     * @param t        tokens per row in this step's input
     */
    public CacheStep begin(NDManager m, int[] rowSlots, int[] fresh, int t) {
        int[] past = new int[rowSlots.length];
        for (int b = 0; b < rowSlots.length; b++) {
            int slot = rowSlots[b];
            if (fresh[b] < 1 || fresh[b] > t) {
                throw new IllegalArgumentException("row " + b + " has " + fresh[b] + " new tokens of " + t);
            }
            past[b] = lengths[slot];
            if (past[b] + fresh[b] > maxLength()) {
                throw new IllegalArgumentException("sequence of " + (past[b] + fresh[b])
                        + " tokens exceeds the model's context of " + maxLength());
            }
        }
        for (int b = 0; b < rowSlots.length; b++) {
            lengths[rowSlots[b]] += fresh[b];
        }
        return new CacheStep(this, m, rowSlots.clone(), past, fresh.clone(), t);
    }

    /** Writes one layer's new keys and values ([B, H, T, D]) at the rows' positions; returns the stored arrays. */
    NDArray[] write(int layer, NDArray slotIndex, NDArray positionIndex, NDArray k, NDArray v) {
        if (keys[layer] == null) {
            Shape s = k.getShape(); // [B, H, T, D]
            keys[layer] = allocate(s.get(1), s.get(3));
            values[layer] = allocate(s.get(1), s.get(3));
        }
        // Advanced indices on dims 0 and 2 put the indexed dims first: the value is [B, T, H, D].
        NDIndex at = new NDIndex("{}, :, {}, :", slotIndex, positionIndex);
        keys[layer].set(at, k.transpose(0, 2, 1, 3));
        values[layer].set(at, v.transpose(0, 2, 1, 3));
        return new NDArray[] {keys[layer], values[layer]};
    }

    private NDArray allocate(long heads, long headDim) {
        NDArray a = manager.zeros(new Shape(slots, heads, capacity, headDim));
        // Outlives the step that made it: leave that step's scope and live on the cache's manager.
        NDScope.unregister(a);
        return a;
    }

    @Override
    public void close() {
        manager.close();
    }
}
