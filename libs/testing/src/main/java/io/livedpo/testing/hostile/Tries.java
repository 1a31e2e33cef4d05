package io.livedpo.testing.hostile;

import java.util.SplittableRandom;

/**
 * Runs a property over seeded tries: try i draws from {@code new SplittableRandom(seed + i)}, so a failure names the
 * one try that reproduces it. A small stand-in for a property-testing library (no shrinking: the failure message
 * carries the generated case instead).
 */
public final class Tries {

    /** The seed every hostile-input test starts from; fixed, so a run is reproducible. */
    public static final long SEED = 20261201L;

    /** One try of a property; throws (an AssertionError or anything else) when the property does not hold. */
    @FunctionalInterface
    public interface Body {
        void run(SplittableRandom random) throws Exception;
    }

    private Tries() {
    }

    public static void check(String property, int tries, Body body) {
        for (int i = 0; i < tries; i++) {
            try {
                body.run(new SplittableRandom(SEED + i));
            } catch (Exception | AssertionError e) {
                throw new AssertionError(property + ": try " + i + " of " + tries + " (seed " + (SEED + i)
                        + ") failed: " + e.getMessage(), e);
            }
        }
    }
}
