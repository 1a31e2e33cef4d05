package io.livedpo.policy.model;

import java.util.Locale;

/**
 * How the frozen base's projections and output head are multiplied at inference. LoRA, norms, attention and all
 * training stay float32; {@link #BF16} is for serving and generation only (no gradient flows through it).
 */
public enum BasePrecision {
    /** PyTorch float32 matmuls: the reference, and the only choice for training. */
    F32,
    /** A bfloat16 copy of each projection's weight, multiplied by {@link Bf16Kernel}: half the bytes per token. */
    BF16;

    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** "f32" or "bf16", any case: the spelling of every setting and option that chooses it. */
    public static BasePrecision parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("base precision must be f32 or bf16, not '" + value + "'");
        }
    }

    /** Fails with what to add to the JVM's command line when this precision's kernel cannot load. */
    public void requireAvailable() {
        if (this == BF16) {
            requireVectorModule("base precision bf16");
        }
    }

    /** Whether the Vector API module the Java kernels use is in this JVM's boot layer. */
    public static boolean vectorModuleLoaded() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Fails, naming {@code feature} and the JVM option to add, when the Vector API module is not loaded. */
    private static void requireVectorModule(String feature) {
        if (!vectorModuleLoaded()) {
            throw new IllegalStateException(feature + " needs the JVM option --add-modules " + VECTOR_MODULE
                    + " (bin/livedpo and the images set it; add it where you start the JVM yourself)");
        }
    }

    /** No gradient flows through the bf16 kernel: training must see the float32 base. */
    public static void requireTrainable(BasePrecision precision) {
        if (precision != F32) {
            throw new IllegalArgumentException("training needs the base in f32, not " + precision);
        }
    }

    /** The projection multiplied at this precision. */
    Projection apply(Projection p) {
        if (this == F32) {
            return p;
        }
        Bf16Kernel.warmUp(); // once per JVM: a model in bf16 is ready only when its kernel runs compiled
        if (p instanceof Conv1D c) {
            return new Bf16Projection(c, Bf16Matrix.ofInOut(c.weight().toFloatArray(),
                    (int) c.inFeatures(), (int) c.outFeatures()), c.bias().toFloatArray());
        }
        if (p instanceof Linear l) {
            return new Bf16Projection(l, Bf16Matrix.ofOutIn(l.weight().toFloatArray(),
                    (int) l.outFeatures(), (int) l.inFeatures()), l.bias() == null ? null : l.bias().toFloatArray());
        }
        throw new IllegalArgumentException("no bf16 form of " + p.getClass().getSimpleName() + " " + p.path());
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
