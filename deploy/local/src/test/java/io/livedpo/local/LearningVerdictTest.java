package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The end-to-end test's decision rule keeps its stated false-pass rate and passes a loop that learns. */
class LearningVerdictTest {

    private static final int RUNS = 20_000;
    private static final int VOTES_PER_LOOK = 25;

    @Test
    void normalQuantilesMatchTheTables() {
        assertEquals(1.6449, LearningVerdict.upperQuantile(0.05), 1e-3);
        assertEquals(2.3263, LearningVerdict.upperQuantile(0.01), 1e-3);
        assertEquals(3.7190, LearningVerdict.upperQuantile(1e-4), 1e-3);
    }

    /** A loop that learns nothing (every version as good as the base) passes in at most alpha of the runs. */
    @ParameterizedTest
    @ValueSource(doubles = {0.2, 0.37, 0.5, 0.8})
    void aLoopThatLearnsNothingPassesAtMostAlphaOfTheTime(double rate) {
        // requiredRise 0: only the z-test stands between a null loop and a pass, the strictest case for alpha.
        LearningVerdict verdict = new LearningVerdict(0.01, 32, 0.0, 25, 50);
        int passes = simulate(verdict, rate, rate, 25, new SplittableRandom(7));
        assertTrue(passes <= 0.01 * RUNS, passes + " false passes in " + RUNS + " runs");
    }

    /** The base at the demo model's 37 % and versions at 80 %, as the loop reaches: nearly always passes. */
    @Test
    void aLoopThatLearnsPassesWithHighPower() {
        LearningVerdict verdict = new LearningVerdict(0.01, 32, 0.25, 25, 50);
        int passes = simulate(verdict, 0.37, 0.80, 25, new SplittableRandom(11));
        assertTrue(passes >= 0.95 * RUNS, passes + " passes in " + RUNS + " runs");
    }

    @Test
    void aSignificantRiseBelowTheBarDoesNotPass() {
        LearningVerdict verdict = new LearningVerdict(0.01, 4, 0.25, 10, 10);
        LearningVerdict.Look look = verdict.look(new LearningVerdict.Tally(400, 1000),
                new LearningVerdict.Tally(550, 1000));
        assertTrue(look.z() > look.zCritical(), look.toString());
        assertFalse(look.passed(), look.toString());
    }

    @Test
    void looksBeforeTheMinimumVotesDoNotCount() {
        LearningVerdict verdict = new LearningVerdict(0.01, 4, 0.25, 25, 50);
        LearningVerdict.Look look = verdict.look(new LearningVerdict.Tally(0, 24), new LearningVerdict.Tally(60, 60));
        assertFalse(look.counted());
        assertFalse(look.passed());
        assertThrows(IllegalArgumentException.class, () -> new LearningVerdict(0.6, 4, 0.25, 1, 1));
    }

    /**
     * Runs of the end-to-end test's shape: the base's votes, then up to maxLooks looks, each after another batch of
     * votes on the newest versions (a sliding pool of the last minTunedVotes.. votes, as the test pools them).
     */
    private static int simulate(LearningVerdict verdict, double baseRate, double tunedRate, int baseVotes,
                                SplittableRandom random) {
        int passes = 0;
        for (int run = 0; run < RUNS; run++) {
            long baseUp = draws(random, baseVotes, baseRate);
            long[] window = new long[(int) (verdict.minTunedVotes() / VOTES_PER_LOOK)];
            for (int look = 0; look < verdict.maxLooks() + window.length - 1; look++) {
                window[look % window.length] = draws(random, VOTES_PER_LOOK, tunedRate);
                if (look < window.length - 1) {
                    continue; // the pool fills before the first counted look
                }
                long up = 0;
                for (long w : window) {
                    up += w;
                }
                LearningVerdict.Look l = verdict.look(new LearningVerdict.Tally(baseUp, baseVotes),
                        new LearningVerdict.Tally(up, (long) window.length * VOTES_PER_LOOK));
                if (l.passed()) {
                    passes++;
                    break;
                }
            }
        }
        return passes;
    }

    private static long draws(SplittableRandom random, int n, double p) {
        long up = 0;
        for (int i = 0; i < n; i++) {
            up += random.nextDouble() < p ? 1 : 0;
        }
        return up;
    }
}
