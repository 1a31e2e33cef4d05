package io.livedpo.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pre-training dialogues, families and styles drawn uniformly: the base model must produce good and bad styles alike,
 * so that user feedback has something to choose between.
 */
public final class Corpus {

    private Corpus() {
    }

    public static List<Dialogue> dialogues(long seed, int count) {
        PromptGenerator prompts = new PromptGenerator(seed);
        // A separate stream for writing, so the prompts equal PromptGenerator(seed)'s whatever the styles draw.
        SplittableRandom rng = new SplittableRandom(seed).split();
        List<Dialogue> dialogues = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Prompt prompt = prompts.next();
            Style style = Style.random(rng);
            dialogues.add(new Dialogue(prompt, style, AnswerWriter.write(prompt, style, rng)));
        }
        return List.copyOf(dialogues);
    }
}
