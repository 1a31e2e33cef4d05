package io.livedpo.policy.model;

import java.util.Arrays;

/**
 * Keys and values of the Java engine ({@link PackedGpt2}): per layer and slot, position p's C values at p·C (heads
 * side by side, as the projection wrote them). A slot's arrays grow by doubling up to the context and are kept for
 * whichever sequence takes the slot next; a position is always written before it is read. Single-threaded writes.
 */
public final class PackedKvCache {

    private static final int INITIAL_POSITIONS = 32;

    private final float[][][] keys; // [layer][slot][positions * C]
    private final float[][][] values;
    private final int width;
    private final int context;

    PackedKvCache(int layers, int slots, int width, int context) {
        this.keys = new float[layers][slots][];
        this.values = new float[layers][slots][];
        this.width = width;
        this.context = context;
    }

    public int slots() {
        return keys[0].length;
    }

    /** The positions one slot may hold: the model's context. */
    public int context() {
        return context;
    }

    void write(int layer, int slot, int position, float[] src, int keyOff, int valueOff) {
        if (position >= context) {
            throw new IllegalArgumentException("position " + position + " is past the model's context of " + context);
        }
        keys[layer][slot] = room(keys[layer][slot], position);
        values[layer][slot] = room(values[layer][slot], position);
        System.arraycopy(src, keyOff, keys[layer][slot], position * width, width);
        System.arraycopy(src, valueOff, values[layer][slot], position * width, width);
    }

    float[] keys(int layer, int slot) {
        return keys[layer][slot];
    }

    float[] values(int layer, int slot) {
        return values[layer][slot];
    }

    private float[] room(float[] a, int position) {
        int need = (position + 1) * width;
        if (a != null && a.length >= need) {
            return a;
        }
        int positions = Math.max(position + 1, a == null ? INITIAL_POSITIONS : Math.min(context, 2 * a.length / width));
        return a == null ? new float[positions * width] : Arrays.copyOf(a, positions * width);
    }
}
