package io.livedpo.policy.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.List;

/** Detects NaN and ±Inf so a trainer can skip (and count) a bad batch instead of corrupting the weights. */
public final class NonFinite {

    private NonFinite() {
    }

    /** True when no element of {@code array} is NaN or infinite. */
    public static boolean isFinite(NDArray array) {
        try (NDScope ignored = new NDScope()) {
            return !array.isNaN().logicalOr(array.isInfinite()).any().getBoolean();
        }
    }

    /** True when any element of any array is NaN or infinite. */
    public static boolean anyNonFinite(List<NDArray> arrays) {
        for (NDArray array : arrays) {
            if (!isFinite(array)) {
                return true;
            }
        }
        return false;
    }
}
