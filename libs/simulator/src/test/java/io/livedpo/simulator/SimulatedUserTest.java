package io.livedpo.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulatedUserTest {

    private static final int DRAWS = 20_000;
    private static final UserModel MODEL = UserModel.DEFAULT;
    /** Answers spanning the reward range, from one seeded corpus. */
    private static final List<Dialogue> DIALOGUES = Corpus.dialogues(51, 12);

    private static SimulatedUser user(SimulatedUser.Kind kind, double noise) {
        return new SimulatedUser("u", kind, noise, MODEL);
    }

    /** Five standard errors: a seeded draw this far off means the formula is wrong, not bad luck. */
    private static void assertFrequency(double expected, int hits, String what) {
        double tolerance = 5 * Math.sqrt(expected * (1 - expected) / DRAWS) + 1e-3;
        assertEquals(expected, hits / (double) DRAWS, tolerance, what);
    }

    private static double sigma(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void thumbsUpFollowsSigmoidOfRewardMinusThreshold() {
        for (double noise : new double[] {0.0, 0.3}) {
            SimulatedUser user = user(SimulatedUser.Kind.NORMAL, noise);
            SplittableRandom rng = new SplittableRandom(61);
            for (Dialogue d : DIALOGUES) {
                double r = HiddenReward.score(d.prompt(), d.answer());
                double expected = (1 - noise) * sigma(MODEL.k() * (r - MODEL.threshold())) + noise / 2;
                int ups = 0;
                for (int i = 0; i < DRAWS; i++) {
                    ups += user.thumbs(d.prompt(), d.answer(), rng) == Vote.UP ? 1 : 0;
                }
                assertFrequency(expected, ups, "noise " + noise + ", reward " + r);
            }
        }
    }

    @Test
    void choiceFollowsBradleyTerry() {
        SimulatedUser user = user(SimulatedUser.Kind.NORMAL, 0.0);
        SplittableRandom rng = new SplittableRandom(62);
        for (int j = 0; j + 1 < DIALOGUES.size(); j += 2) {
            Prompt prompt = DIALOGUES.get(j).prompt();
            String a = DIALOGUES.get(j).answer();
            String b = AnswerWriter.write(prompt, Style.random(rng), rng);
            double expected = sigma(MODEL.k() * (HiddenReward.score(prompt, a) - HiddenReward.score(prompt, b)));
            int picksA = 0;
            for (int i = 0; i < DRAWS; i++) {
                picksA += user.choose(prompt, a, b, rng) == Choice.A ? 1 : 0;
            }
            assertFrequency(expected, picksA, a + " vs " + b);
        }
    }

    @Test
    void adversarialUsersInvert() {
        SimulatedUser normal = user(SimulatedUser.Kind.NORMAL, 0.0);
        SimulatedUser adversary = user(SimulatedUser.Kind.ADVERSARIAL_OPPOSITE, 0.0);
        SplittableRandom rng = new SplittableRandom(63);
        Prompt prompt = new PromptGenerator(64).next(TaskFamily.YESNO);
        String best = AnswerWriter.write(prompt, Style.BEST, rng);
        String worst = AnswerWriter.write(prompt, Style.WORST, rng);
        for (String answer : List.of(best, worst)) {
            assertEquals(1 - normal.upProbability(prompt, answer), adversary.upProbability(prompt, answer), 1e-12);
        }
        int ups = 0;
        int picksBest = 0;
        for (int i = 0; i < DRAWS; i++) {
            ups += adversary.thumbs(prompt, best, rng) == Vote.UP ? 1 : 0;
            picksBest += adversary.choose(prompt, best, worst, rng) == Choice.A ? 1 : 0;
        }
        assertFrequency(1 - normal.upProbability(prompt, best), ups, "adversary thumbs the best answer");
        assertFrequency(1 - normal.preferAProbability(prompt, best, worst), picksBest, "adversary picks the best");
        assertTrue(ups < DRAWS / 10 && picksBest < DRAWS / 10);
    }

    @Test
    void floodersVoteLikeNormalUsersButMoreOften() {
        SimulatedUser normal = user(SimulatedUser.Kind.NORMAL, 0.1);
        SimulatedUser flooder = user(SimulatedUser.Kind.FLOODER, 0.1);
        Dialogue d = DIALOGUES.get(0);
        assertEquals(normal.upProbability(d.prompt(), d.answer()), flooder.upProbability(d.prompt(), d.answer()));
        assertEquals(1, normal.votesPerAnswer());
        assertEquals(1, user(SimulatedUser.Kind.ADVERSARIAL_OPPOSITE, 0).votesPerAnswer());
        assertTrue(flooder.votesPerAnswer() >= 10);
    }

    @Test
    void rejectsInvalidParameters() {
        assertThrows(IllegalArgumentException.class, () -> user(SimulatedUser.Kind.NORMAL, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new UserModel(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new UserModel(1, Double.NaN));
    }
}
