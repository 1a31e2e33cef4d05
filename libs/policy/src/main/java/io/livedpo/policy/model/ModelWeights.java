package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.SplittableRandom;

/** Looking up checkpoint tensors by name with their expected shape, and fresh random ones. */
final class ModelWeights {

    private ModelWeights() {
    }

    /** The tensor {@code name}, which must exist, be FLOAT32 and have {@code shape}. */
    static NDArray require(Map<String, NDArray> weights, String name, long... shape) {
        NDArray a = weights.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing weight '" + name + "'");
        }
        if (!a.getShape().equals(new Shape(shape))) {
            throw new IllegalArgumentException(
                    "weight '" + name + "' has shape " + a.getShape() + ", config expects " + new Shape(shape));
        }
        if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("weight '" + name + "' is " + a.getDataType() + ", expected float32");
        }
        return a;
    }

    /** N(0, std²) entries; the same seed gives the same weights on every machine and engine. */
    static NDArray normal(NDManager m, SplittableRandom rng, float std, long... shape) {
        long n = new Shape(shape).size();
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian(rng) * std);
        }
        return m.create(v, new Shape(shape));
    }

    /** Box–Muller on SplittableRandom. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
