package io.livedpo.policy.model;

/**
 * A frozen weight W [out, in] in bfloat16: each entry the upper 16 bits of its float32, rounded to nearest even. Row j
 * (one output's weights) is contiguous, so a matrix–vector product streams each row once: half the bytes of float32.
 */
public record Bf16Matrix(short[] data, int out, int in) implements FrozenMatrix {

    public Bf16Matrix {
        if ((long) out * in != data.length) {
            throw new IllegalArgumentException("bf16 matrix [" + out + ", " + in + "] needs " + (long) out * in
                    + " entries, got " + data.length);
        }
    }

    /** From float32 stored [out, in] (nn.Linear's layout). */
    public static Bf16Matrix ofOutIn(float[] w, int out, int in) {
        short[] data = new short[w.length];
        for (int i = 0; i < w.length; i++) {
            data[i] = round(w[i]);
        }
        return new Bf16Matrix(data, out, in);
    }

    /** From float32 stored [in, out] (GPT-2's Conv1D layout), transposed. */
    public static Bf16Matrix ofInOut(float[] w, int in, int out) {
        short[] data = new short[w.length];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                data[j * in + i] = round(w[i * out + j]);
            }
        }
        return new Bf16Matrix(data, out, in);
    }

    /** Round to nearest even, as torch's float32 → bfloat16 cast does; NaN stays NaN. */
    public static short round(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }

    public static float widen(short b) {
        return Float.intBitsToFloat(b << 16);
    }

    /** y = x·Wᵀ for x [rows, in] row-major: y [rows, out] (the kernel the bf16 base multiplies with). */
    public float[] times(float[] x, int rows) {
        if ((long) rows * in != x.length) {
            throw new IllegalArgumentException(rows + " rows of " + in + " need " + (long) rows * in + " values, got "
                    + x.length);
        }
        return Bf16Kernel.multiply(x, rows, this);
    }

    @Override
    public void multiplyRange(float[] x, int rows, float[] y, int from, int to) {
        Bf16Kernel.multiply(x, rows, this, y, from, to);
    }

    public float get(int row, int col) {
        return widen(data[row * in + col]);
    }
}
