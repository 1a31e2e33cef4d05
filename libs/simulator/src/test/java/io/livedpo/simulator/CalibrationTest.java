package io.livedpo.simulator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The default {@link UserModel} must leave room to learn (uniformly random styles get 35-55% thumbs up) and give a
 * clear signal (the best style at least 85%, the worst at most 10%). Rates are expectations of P(UP) over seeded
 * samples, so the bounds test the calibration, not luck; the sampled-vote rate is checked against them too.
 */
class CalibrationTest {

    private static final int SAMPLES = 4_000;
    private static final SimulatedUser USER = new SimulatedUser("calibration", SimulatedUser.Kind.NORMAL, 0.0,
            UserModel.DEFAULT);

    private static double upRate(Style fixedStyle, TaskFamily family, long seed) {
        PromptGenerator prompts = new PromptGenerator(seed);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        double sum = 0;
        for (int i = 0; i < SAMPLES; i++) {
            Prompt prompt = family == null ? prompts.next() : prompts.next(family);
            Style style = fixedStyle == null ? Style.random(rng) : fixedStyle;
            sum += USER.upProbability(prompt, AnswerWriter.write(prompt, style, rng));
        }
        return sum / SAMPLES;
    }

    @Test
    void uniformStylesLeaveRoomToLearn() {
        double uniform = upRate(null, null, 81);
        double best = upRate(Style.BEST, null, 82);
        double worst = upRate(Style.WORST, null, 83);
        System.out.printf("calibration (k=%s, threshold=%s): uniform %.3f, best %.3f, worst %.3f%n",
                UserModel.DEFAULT.k(), UserModel.DEFAULT.threshold(), uniform, best, worst);
        double noise = SimulationConfig.DEFAULT.noise();
        System.out.printf("calibration with the default noise %s: uniform %.3f, best %.3f, worst %.3f%n", noise,
                (1 - noise) * uniform + noise / 2, (1 - noise) * best + noise / 2, (1 - noise) * worst + noise / 2);
        assertTrue(uniform >= 0.35 && uniform <= 0.55, "uniform " + uniform);
        assertTrue(best >= 0.85, "best " + best);
        assertTrue(worst <= 0.10, "worst " + worst);
    }

    @ParameterizedTest
    @EnumSource(TaskFamily.class)
    void holdsForEveryFamily(TaskFamily family) {
        double best = upRate(Style.BEST, family, 84);
        double worst = upRate(Style.WORST, family, 85);
        System.out.printf("calibration %s: best %.3f, worst %.3f%n", family, best, worst);
        assertTrue(best >= 0.85, family + " best " + best);
        assertTrue(worst <= 0.10, family + " worst " + worst);
    }

    @Test
    void sampledVotesMatchTheExpectation() {
        PromptGenerator prompts = new PromptGenerator(86);
        SplittableRandom rng = new SplittableRandom(87);
        int ups = 0;
        for (int i = 0; i < SAMPLES; i++) {
            Prompt prompt = prompts.next();
            ups += USER.thumbs(prompt, AnswerWriter.write(prompt, Style.random(rng), rng), rng) == Vote.UP ? 1 : 0;
        }
        double rate = ups / (double) SAMPLES;
        System.out.printf("calibration: sampled thumbs-up rate over uniform styles %.3f%n", rate);
        assertTrue(rate >= 0.35 && rate <= 0.55, "sampled " + rate);
    }
}
