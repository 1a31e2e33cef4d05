package io.livedpo.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HiddenRewardTest {

    private static final int SAMPLES = 300;

    /** Mean reward per style for one family, over seeded prompts and answers. */
    private static Map<Style, Double> meanByStyle(TaskFamily family) {
        PromptGenerator prompts = new PromptGenerator(100 + family.ordinal());
        SplittableRandom rng = new SplittableRandom(200 + family.ordinal());
        Map<Style, Double> sums = new HashMap<>();
        for (int i = 0; i < SAMPLES; i++) {
            Prompt prompt = prompts.next(family);
            for (Style style : Style.all()) {
                sums.merge(style, HiddenReward.score(prompt, AnswerWriter.write(prompt, style, rng)), Double::sum);
            }
        }
        sums.replaceAll((style, sum) -> sum / SAMPLES);
        return sums;
    }

    @ParameterizedTest
    @EnumSource(TaskFamily.class)
    void everyAxisMattersWithTheOthersHeldFixed(TaskFamily family) {
        Map<Style, Double> mean = meanByStyle(family);
        Map<String, UnaryOperator<Style>> flips = Map.of(
                "correct", s -> new Style(!s.correct(), s.polite(), s.concise(), s.onTopic()),
                "polite", s -> new Style(s.correct(), !s.polite(), s.concise(), s.onTopic()),
                "concise", s -> new Style(s.correct(), s.polite(), !s.concise(), s.onTopic()),
                "onTopic", s -> new Style(s.correct(), s.polite(), s.concise(), !s.onTopic()));
        for (Style good : Style.all()) {
            Map<String, Boolean> axes = Map.of("correct", good.correct(), "polite", good.polite(),
                    "concise", good.concise(), "onTopic", good.onTopic());
            axes.forEach((axis, isGood) -> {
                if (isGood) {
                    Style bad = flips.get(axis).apply(good);
                    assertTrue(mean.get(good) > mean.get(bad) + 0.5,
                            family + " " + axis + ": " + good + "=" + mean.get(good) + " vs " + bad + "=" + mean.get(bad));
                }
            });
        }
    }

    @Test
    void garbageScoresBelowEveryCleanAnswer() {
        double cleanMin = Corpus.dialogues(31, 5000).stream()
                .mapToDouble(d -> HiddenReward.score(d.prompt(), d.answer())).min().orElseThrow();
        Prompt prompt = new PromptGenerator(1).next(TaskFamily.ARITHMETIC);
        SplittableRandom rng = new SplittableRandom(9);
        List<String> garbage = new ArrayList<>(List.of("", "   ", "!!! ??? ...", "zzkq vlorp fnagh",
                "xq " + ((ArithmeticTask) prompt.task()).expected() + " zz yy qq", "snurf blap sure wug"));
        // Gibberish words (consonants only, so never real words), at most one real word in five.
        List<String> real = List.of("the", "sure", "yes", "is", "8");
        for (int i = 0; i < 300; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = rng.nextInt(1, 30); w > 0; w--) {
                if (w % 5 == 0) {
                    text.append(real.get(rng.nextInt(real.size())));
                } else {
                    for (int c = rng.nextInt(1, 8); c > 0; c--) {
                        text.append("bcdfghjklmnpqrstvwxz".charAt(rng.nextInt(20)));
                    }
                }
                text.append(rng.nextBoolean() ? " " : ", ");
            }
            garbage.add(text.toString());
        }
        for (String text : garbage) {
            double score = HiddenReward.score(prompt, text);
            assertTrue(score < cleanMin, "'" + text + "' scored " + score + ", clean minimum " + cleanMin);
        }
    }

    @Test
    void judgesModelTextNotJustTemplates() {
        Prompt sum = new Prompt("t", "What is 3 + 5?", new ArithmeticTask(3, 5, false));
        assertEquals(HiddenReward.RIGHT + HiddenReward.POLITE, HiddenReward.score(sum, "thanks, 3 plus 5 is 8"));
        assertEquals(HiddenReward.WRONG, HiddenReward.score(sum, "it is 9."));
        assertEquals(HiddenReward.MISSING, HiddenReward.score(sum, "The answer is"), 1e-9, "truncated");

        Prompt hello = new Prompt("t", "Hello, I am Ana.", new GreetingTask("Ana"));
        assertEquals(HiddenReward.RIGHT, HiddenReward.score(hello, "hi ana"));
        assertEquals(HiddenReward.WRONG, HiddenReward.score(hello, "hi ana and ben"));

        Prompt sun = new Prompt("t", "Is the sun hot?", Catalog.YES_NO.get(0));
        assertEquals(HiddenReward.RIGHT, HiddenReward.score(sun, "yes no"), "the first yes/no decides");
        assertEquals(HiddenReward.WRONG + HiddenReward.RUDE, HiddenReward.score(sun, "No, stupid."));
    }

    @Test
    void repetitionAndUnknownWordsCost() {
        Prompt sum = new Prompt("t", "What is 3 + 5?", new ArithmeticTask(3, 5, false));
        double clean = HiddenReward.score(sum, "The answer is 8.");
        assertEquals(clean + HiddenReward.PER_REPEAT * 2, HiddenReward.score(sum, "The answer answer answer is 8."), 1e-9);
        assertTrue(HiddenReward.score(sum, "The answer is 8 blorp.") < clean);
    }

    @Test
    void lengthBeyondTheAllowanceCosts() {
        Prompt sum = new Prompt("t", "What is 3 + 5?", new ArithmeticTask(3, 5, false));
        String allowed = "It is 8." + " Let me think about this.".repeat(2) + " I will";
        assertEquals(HiddenReward.LENGTH_ALLOWANCE, Text.words(allowed).size());
        assertEquals(HiddenReward.RIGHT, HiddenReward.score(sum, allowed), 1e-9);
        assertEquals(HiddenReward.RIGHT + HiddenReward.PER_EXTRA_WORD * 2,
                HiddenReward.score(sum, allowed + " try to"), 1e-9);
    }

    @Test
    void cleanAnswersUseOnlyKnownWordsAndNoRepeats() {
        Map<TaskFamily, Double> worst = new EnumMap<>(TaskFamily.class);
        for (Dialogue d : Corpus.dialogues(41, 5000)) {
            List<String> words = Text.words(d.answer());
            assertTrue(words.stream().allMatch(Lexicon::isKnown), d.answer());
            for (int i = 1; i < words.size(); i++) {
                assertTrue(!words.get(i).equals(words.get(i - 1)), "immediate repeat in: " + d.answer());
            }
            worst.merge(d.prompt().family(), HiddenReward.score(d.prompt(), d.answer()), Math::min);
        }
        worst.values().forEach(w -> assertTrue(w > HiddenReward.GARBAGE, "clean minimum " + w));
    }
}
