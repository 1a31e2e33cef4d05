package io.livedpo.feedback.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sequential test's error rates, by simulating canaries vote by vote as the judge sees them (a 10% candidate
 * share, a parent at 50% thumbs-up, the test read after every vote, truncated at the default vote bound with the
 * default rollback), with fixed seeds. α and β are Wald's approximations; the assertions allow three standard errors
 * of the simulation above them.
 */
class CanarySprtTest {

    private static final CanaryConfig DEFAULTS = CanaryConfig.defaults();
    private static final int TRIALS = 2000;
    private static final double SHARE = 0.1;
    private static final double PARENT = 0.5;

    /** Promotions, rollbacks and the mean number of candidate votes to a decision over {@link #TRIALS} canaries. */
    record Outcomes(int promoted, int rolledBack, double meanCandidateVotes) {
        double promotedRate() {
            return (double) promoted / TRIALS;
        }

        double rolledBackRate() {
            return (double) rolledBack / TRIALS;
        }
    }

    static Outcomes simulate(double candidateRate, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CanarySprt test = DEFAULTS.test();
        int promoted = 0;
        int rolledBack = 0;
        long candidateVotesTotal = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            long cn = 0;
            long cu = 0;
            long pn = 0;
            long pu = 0;
            CanarySprt.Outcome outcome = CanarySprt.Outcome.CONTINUE;
            while (outcome == CanarySprt.Outcome.CONTINUE) {
                if (random.nextDouble() < SHARE) {
                    cn++;
                    cu += random.nextDouble() < candidateRate ? 1 : 0;
                } else {
                    pn++;
                    pu += random.nextDouble() < PARENT ? 1 : 0;
                }
                outcome = test.evaluate(cn, cu, pn, pu).outcome();
                if (outcome == CanarySprt.Outcome.CONTINUE && cn >= DEFAULTS.maxCandidateVotes()) {
                    outcome = CanarySprt.Outcome.ROLLBACK; // the default on-limit action
                }
            }
            if (outcome == CanarySprt.Outcome.PROMOTE) {
                promoted++;
            } else {
                rolledBack++;
            }
            candidateVotesTotal += cn;
        }
        return new Outcomes(promoted, rolledBack, (double) candidateVotesTotal / TRIALS);
    }

    private static double allowance(double rate) {
        return rate + 3 * Math.sqrt(rate * (1 - rate) / TRIALS);
    }

    @Test
    void aCandidateWorseByTheEffectIsPromotedAtMostAlphaOfTheTime() {
        Outcomes worse = simulate(PARENT - DEFAULTS.test().effect(), 11);
        assertTrue(worse.promotedRate() <= allowance(DEFAULTS.test().alpha()),
                "false promotions " + worse.promotedRate() + " over alpha " + DEFAULTS.test().alpha());
    }

    @Test
    void aCandidateAsGoodAsItsParentIsRolledBackAtMostBetaOfTheTime() {
        Outcomes equal = simulate(PARENT, 12);
        assertTrue(equal.rolledBackRate() <= allowance(DEFAULTS.test().beta()),
                "false rollbacks " + equal.rolledBackRate() + " over beta " + DEFAULTS.test().beta());
    }

    @Test
    void clearlyBetterAndClearlyWorseCandidatesAreDecidedRightWithinTheVoteBound() {
        Outcomes better = simulate(PARENT + 0.1, 13);
        Outcomes worse = simulate(PARENT - 0.2, 14);
        assertTrue(better.promotedRate() >= 0.99, "better promoted " + better.promotedRate());
        assertTrue(worse.rolledBackRate() >= 0.99, "much worse rolled back " + worse.rolledBackRate());
        // Well inside the bound on average: the bound is a backstop, not the usual way a canary ends.
        assertTrue(better.meanCandidateVotes() < DEFAULTS.maxCandidateVotes() / 4.0, "" + better.meanCandidateVotes());
        assertTrue(worse.meanCandidateVotes() < DEFAULTS.maxCandidateVotes() / 4.0, "" + worse.meanCandidateVotes());
    }

    /** A/B choices only: the candidate wins each with probability {@code winRate}. */
    static Outcomes simulateChoices(double winRate, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CanarySprt test = DEFAULTS.test();
        int promoted = 0;
        int rolledBack = 0;
        long choicesTotal = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            long n = 0;
            long wins = 0;
            CanarySprt.Outcome outcome = CanarySprt.Outcome.CONTINUE;
            while (outcome == CanarySprt.Outcome.CONTINUE) {
                n++;
                wins += random.nextDouble() < winRate ? 1 : 0;
                outcome = test.evaluate(0, 0, 0, 0, n, wins).outcome();
                if (outcome == CanarySprt.Outcome.CONTINUE && n >= 20 * DEFAULTS.maxCandidateVotes()) {
                    outcome = CanarySprt.Outcome.ROLLBACK;
                }
            }
            promoted += outcome == CanarySprt.Outcome.PROMOTE ? 1 : 0;
            rolledBack += outcome == CanarySprt.Outcome.ROLLBACK ? 1 : 0;
            choicesTotal += n;
        }
        return new Outcomes(promoted, rolledBack, (double) choicesTotal / TRIALS);
    }

    @Test
    void abChoicesAloneKeepTheSameErrorRates() {
        double delta = DEFAULTS.test().effect();
        Outcomes worse = simulateChoices(0.5 - delta / 2, 21);
        Outcomes equal = simulateChoices(0.5, 22);
        assertTrue(worse.promotedRate() <= allowance(DEFAULTS.test().alpha()), "A/B false promotions "
                + worse.promotedRate());
        assertTrue(equal.rolledBackRate() <= allowance(DEFAULTS.test().beta()), "A/B false rollbacks "
                + equal.rolledBackRate());
    }

    @Test
    void theStatisticIsWaldsForBrownianMotionAndWaitsForTheMinimumVotes() {
        CanarySprt test = new CanarySprt(0.05, 0.1, 0.1, 20);
        assertEquals(Math.log(0.9 / 0.05), test.upperBound(), 1e-12);
        assertEquals(Math.log(0.1 / 0.95), test.lowerBound(), 1e-12);
        // Equal observed rates: the statistic is δ²·I/2 > 0, evidence for "not worse by δ".
        double equal = test.logLikelihoodRatio(100, 50, 900, 450);
        double info = 1 / (0.5 * 0.5 / 100 + 0.5 * 0.5 / 900); // p̃ = 51/102 and 451/902 = 0.5 exactly
        assertEquals(0.1 * 0.1 * info / 2, equal, 1e-9);
        // Observed Δ = −δ/2, the midpoint of the hypotheses: no evidence either way.
        assertEquals(0, test.logLikelihoodRatio(100, 45, 900, 450), 0.05);
        // Overwhelming evidence is not acted on before each arm has its minimum votes.
        assertEquals(CanarySprt.Outcome.CONTINUE, test.evaluate(19, 0, 900, 900).outcome());
        assertEquals(CanarySprt.Outcome.ROLLBACK, test.evaluate(20, 0, 900, 900).outcome());
        // A/B: each candidate loss is ln(0.5/0.55), each win ln(0.5/0.45); 20 straight losses decide.
        assertEquals(20 * Math.log(0.5 / 0.55), test.choicesLogLikelihoodRatio(20, 0), 1e-12);
        assertEquals(CanarySprt.Outcome.CONTINUE, test.evaluate(0, 0, 0, 0, 19, 0).outcome());
        assertEquals(CanarySprt.Outcome.CONTINUE, test.evaluate(0, 0, 0, 0, 20, 0).outcome(),
                "20 losses: -1.91, not yet at -2.25");
        assertEquals(CanarySprt.Outcome.ROLLBACK, test.evaluate(0, 0, 0, 0, 24, 0).outcome());
    }
}
