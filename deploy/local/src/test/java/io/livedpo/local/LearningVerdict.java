package io.livedpo.local;

/**
 * The end-to-end test's decision whether the loop learned: the served answers' thumbs-up rate of the tuned versions
 * against the base's, as a one-sided two-proportion z-test with a stated false-pass rate.
 *
 * <p>H0: the tuned versions are no better than the base ({@code p_tuned <= p_base}). The test looks at the running
 * vote counts several times (once per new version), and every look could pass it, so each look tests at
 * {@code alpha / maxLooks} (Bonferroni): a loop that learns nothing passes with probability at most {@code alpha}
 * over the whole run. The z statistic uses the pooled rate, the variance under H0. A pass also needs the observed
 * rise to reach the product's bar ({@code requiredRise}): significance alone says "better", the bar says "enough".
 *
 * @param alpha         the false-pass rate over the whole run
 * @param maxLooks      the most looks the caller may take; a look beyond it is refused
 * @param requiredRise  the observed rise (tuned rate minus base rate) a pass needs
 * @param minBaseVotes  no look before the base has this many votes
 * @param minTunedVotes no look before the tuned versions have this many votes
 */
record LearningVerdict(double alpha, int maxLooks, double requiredRise, long minBaseVotes, long minTunedVotes) {

    LearningVerdict {
        if (!(alpha > 0 && alpha < 0.5) || maxLooks < 1 || minBaseVotes < 1 || minTunedVotes < 1) {
            throw new IllegalArgumentException("alpha in (0, 0.5), at least one look and one vote per side");
        }
    }

    /** One side's votes. */
    record Tally(long up, long votes) {
        double rate() {
            return (double) up / votes;
        }
    }

    /** The outcome of one look. */
    record Look(boolean counted, boolean passed, double rise, double z, double zCritical) {
        @Override
        public String toString() {
            return String.format("rise %.3f, z %.2f (critical %.2f)%s", rise, z, zCritical,
                    passed ? ": passed" : "");
        }
    }

    /** The z a single look must exceed: the upper alpha/maxLooks quantile of the standard normal. */
    double zCritical() {
        return upperQuantile(alpha / maxLooks);
    }

    /**
     * Takes a look; {@code counted} is false (and nothing passes) while either side lacks its minimum votes, so such
     * looks do not use up the budget of looks.
     */
    Look look(Tally base, Tally tuned) {
        if (base.votes() < minBaseVotes || tuned.votes() < minTunedVotes) {
            return new Look(false, false, Double.NaN, Double.NaN, zCritical());
        }
        double rise = tuned.rate() - base.rate();
        double pooled = (double) (base.up() + tuned.up()) / (base.votes() + tuned.votes());
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / base.votes() + 1.0 / tuned.votes()));
        double z = se == 0 ? (rise > 0 ? Double.POSITIVE_INFINITY : 0) : rise / se;
        return new Look(true, z > zCritical() && rise >= requiredRise, rise, z, zCritical());
    }

    /** Upper-tail standard normal quantile by bisection on the complementary error function (accurate to 1e-9). */
    static double upperQuantile(double p) {
        double lo = 0;
        double hi = 40;
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (upperTail(mid) > p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** P(Z > z) for z ≥ 0, from erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
    static double upperTail(double z) {
        double x = z / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * x);
        double erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return erfc / 2;
    }
}
