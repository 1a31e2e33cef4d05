package io.livedpo.policy.io;

/**
 * Widening of 16-bit floats to {@code float}. Java 17 has no {@code Float.float16ToFloat}, and a BF16 NDArray aborts
 * the JVM in the DJL build we use, so half-precision weights are widened here before DJL sees them.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits; exact, including subnormals, ±inf and NaN. */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            // Inf or NaN; the NaN payload moves to the top of the float mantissa, as hardware conversions do.
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa · 2^-24, exact in float (a power-of-two scale of a 10-bit integer).
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** bfloat16 is the top half of a float32, so widening is a shift; subnormals, ±inf and NaN carry over as is. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
