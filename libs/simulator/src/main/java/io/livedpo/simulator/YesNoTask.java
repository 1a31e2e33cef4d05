package io.livedpo.simulator;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/** "Is {subject} {predicate}?" where {@link #truth()} is the right answer, e.g. ("the sun", "hot", true). */
public record YesNoTask(String subject, String predicate, boolean truth) implements Task {

    private static final List<String> QUESTIONS = List.of("Is {s} {p}?", "Tell me, is {s} {p}?");
    private static final List<String> YES = List.of("Yes, {s} is {p}.", "Yes, it is.", "Yes, of course {s} is {p}.");
    private static final List<String> NO = List.of("No, {s} is not {p}.", "No, it is not.", "No, {s} is never {p}.");

    @Override
    public TaskFamily family() {
        return TaskFamily.YESNO;
    }

    @Override
    public String question(RandomGenerator rng) {
        return fill(Text.pick(QUESTIONS, rng));
    }

    @Override
    public String correctContent(RandomGenerator rng) {
        return fill(Text.pick(truth ? YES : NO, rng));
    }

    @Override
    public String wrongContent(RandomGenerator rng) {
        return fill(Text.pick(truth ? NO : YES, rng));
    }

    /** The first "yes" or "no" decides: that is what a reader takes as the answer. */
    @Override
    public Correctness judge(List<String> words) {
        for (String w : words) {
            if (w.equals("yes") || w.equals("no")) {
                return w.equals("yes") == truth ? Correctness.CORRECT : Correctness.WRONG;
            }
        }
        return Correctness.MISSING;
    }

    @Override
    public Stream<String> texts() {
        return Stream.concat(Stream.of(QUESTIONS, YES, NO).flatMap(List::stream), Stream.of(subject, predicate));
    }

    private String fill(String template) {
        return template.replace("{s}", subject).replace("{p}", predicate);
    }
}
