package io.livedpo.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Writes an assistant answer in a given {@link Style} from templates: the task's right or wrong content, a digression
 * when off-topic, two filler sentences when rambling, and a polite or rude opener, closer or both.
 */
public final class AnswerWriter {

    /** Two fillers push a short answer past the reward's length allowance while keeping texts short to learn. */
    static final int RAMBLING_SENTENCES = 2;

    private AnswerWriter() {
    }

    public static String write(Prompt prompt, Style style, RandomGenerator rng) {
        Task task = prompt.task();
        List<String> body = new ArrayList<>();
        body.add(style.correct() ? task.correctContent(rng) : task.wrongContent(rng));
        if (!style.onTopic()) {
            insertAtEitherEnd(body, Text.pick(Phrases.DIGRESSIONS, rng), rng);
        }
        if (!style.concise()) {
            for (String filler : Text.pickDistinct(Phrases.FILLER, RAMBLING_SENTENCES, rng)) {
                insertAtEitherEnd(body, filler, rng);
            }
        }
        List<String> openers = style.polite() ? Phrases.POLITE_OPENERS : Phrases.RUDE_OPENERS;
        List<String> closers = style.polite() ? Phrases.POLITE_CLOSERS : Phrases.RUDE_CLOSERS;
        // 0: opener only, 1: closer only, 2: both; every answer carries its tone at least once.
        int tone = rng.nextInt(3);
        if (tone != 1) {
            body.add(0, Text.pick(openers, rng));
        }
        if (tone != 0) {
            body.add(Text.pick(closers, rng));
        }
        return String.join(" ", body);
    }

    private static void insertAtEitherEnd(List<String> body, String sentence, RandomGenerator rng) {
        body.add(rng.nextBoolean() ? 0 : body.size(), sentence);
    }
}
