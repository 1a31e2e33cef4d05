package io.livedpo.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DeterminismTest {

    private static List<Prompt> prompts(long seed, int n) {
        PromptGenerator generator = new PromptGenerator(seed);
        return IntStream.range(0, n).mapToObj(i -> generator.next()).toList();
    }

    @Test
    void sameSeedGivesSamePrompts() {
        assertEquals(prompts(11, 500), prompts(11, 500));
    }

    @Test
    void evaluationSeedGivesFreshPrompts() {
        List<Prompt> training = prompts(11, 200);
        List<Prompt> evaluation = prompts(12, 200);
        assertNotEquals(training.stream().map(Prompt::userText).toList(),
                evaluation.stream().map(Prompt::userText).toList());
        Set<String> ids = new HashSet<>();
        training.forEach(p -> ids.add(p.id()));
        evaluation.forEach(p -> ids.add(p.id()));
        assertEquals(400, ids.size(), "ids are unique within and across seeds");
    }

    @Test
    void sameSeedGivesSameAnswers() {
        Prompt prompt = new PromptGenerator(3).next(TaskFamily.HOWTO);
        for (Style style : Style.all()) {
            assertEquals(AnswerWriter.write(prompt, style, new SplittableRandom(5)),
                    AnswerWriter.write(prompt, style, new SplittableRandom(5)));
        }
    }

    @Test
    void sameSeedGivesSameCorpus() {
        assertEquals(Corpus.dialogues(21, 300), Corpus.dialogues(21, 300));
        assertNotEquals(Corpus.dialogues(21, 300), Corpus.dialogues(22, 300));
    }

    @Test
    void answersVaryWithinAStyle() {
        Prompt prompt = new PromptGenerator(3).next(TaskFamily.TOPIC);
        SplittableRandom rng = new SplittableRandom(8);
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            answers.add(AnswerWriter.write(prompt, Style.BEST, rng));
        }
        assertTrue(answers.size() >= 10, "templates give variety: " + answers.size());
    }
}
