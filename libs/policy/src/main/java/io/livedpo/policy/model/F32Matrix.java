package io.livedpo.policy.model;

/** A frozen float32 weight W [out, in] for the Java kernels ({@link F32Kernel}). */
public record F32Matrix(float[] data, int out, int in) implements FrozenMatrix {

    public F32Matrix {
        if ((long) out * in != data.length) {
            throw new IllegalArgumentException("matrix [" + out + ", " + in + "] needs " + (long) out * in
                    + " entries, got " + data.length);
        }
    }

    /** From float32 stored [in, out] (GPT-2's Conv1D layout), transposed. */
    public static F32Matrix ofInOut(float[] w, int in, int out) {
        float[] data = new float[w.length];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                data[j * in + i] = w[i * out + j];
            }
        }
        return new F32Matrix(data, out, in);
    }

    @Override
    public void multiplyRange(float[] x, int rows, float[] y, int from, int to) {
        F32Kernel.multiply(x, rows, this, y, from, to);
    }
}
