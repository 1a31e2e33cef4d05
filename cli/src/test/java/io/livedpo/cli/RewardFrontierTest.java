package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The frontier's math on hand-made samples, where each point can be worked out on paper. */
class RewardFrontierTest {

    // Two prompts, four samples each; thumbs-up chance rises with reward.
    private static final double[][] REWARD = {{0, 1, 2, 3}, {3, 2, 1, 0}};
    private static final double[][] UP = {{0.1, 0.2, 0.3, 0.9}, {0.9, 0.3, 0.2, 0.1}};
    private final RewardFrontier frontier = new RewardFrontier(REWARD, UP);

    @Test
    void bestOfOneIsTheBaseAndBestOfAllTakesTheBestAnswer() {
        RewardFrontier.Point base = frontier.bestOf(1);
        assertEquals(0.375, base.thumbsUp(), 1e-12, "the mean of all samples");
        assertEquals(0.0, base.kl(), 1e-12);
        RewardFrontier.Point two = frontier.bestOf(2);
        // Groups {0,1},{2,3} and {3,2},{1,0}: best 0.2, 0.9 and 0.9, 0.2.
        assertEquals(0.55, two.thumbsUp(), 1e-12);
        assertEquals(Math.log(2) - 0.5, two.kl(), 1e-12);
        assertEquals(0.9, frontier.bestOf(4).thumbsUp(), 1e-12);
    }

    @Test
    void theTiltedPolicyGoesFromTheBaseToTheBestAsBetaFalls() {
        RewardFrontier.Point flat = frontier.tilted(1e6);
        assertEquals(0.375, flat.thumbsUp(), 1e-5);
        assertEquals(0.0, flat.kl(), 1e-5);
        RewardFrontier.Point sharp = frontier.tilted(1e-3);
        assertEquals(0.9, sharp.thumbsUp(), 1e-9, "all mass on the best sample, no overflow");
        assertEquals(Math.log(4), sharp.kl(), 1e-9, "a point mass among 4 samples");
        // β = 1 on paper: weights e^0..e^3 over 4 samples.
        double z = 1 + Math.E + Math.exp(2) + Math.exp(3);
        double up = (0.1 + 0.2 * Math.E + 0.3 * Math.exp(2) + 0.9 * Math.exp(3)) / z;
        double kl = 0;
        for (int k = 0; k < 4; k++) {
            double p = Math.exp(k) / z;
            kl += p * Math.log(4 * p);
        }
        RewardFrontier.Point one = frontier.tilted(1);
        assertEquals(up, one.thumbsUp(), 1e-12);
        assertEquals(kl, one.kl(), 1e-12);
        assertTrue(frontier.tilted(0.5).thumbsUp() > one.thumbsUp() && frontier.tilted(0.5).kl() > one.kl());
    }

    @Test
    void refusesWhatItCannotEstimate() {
        assertThrows(IllegalArgumentException.class, () -> frontier.bestOf(5));
        assertThrows(IllegalArgumentException.class, () -> frontier.tilted(0));
        assertThrows(IllegalArgumentException.class, () -> new RewardFrontier(new double[][] {{1}}, new double[][] {}));
    }
}
