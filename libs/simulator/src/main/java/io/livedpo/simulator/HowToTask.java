package io.livedpo.simulator;

import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * "How do I {task}?" A right answer gives one of {@link #steps()}; the judge looks for {@link #keywords()}, words of
 * the steps that the question itself does not contain (a wrong answer repeats the question's words too).
 */
public record HowToTask(String task, List<String> steps, Set<String> keywords) implements Task {

    private static final List<String> QUESTIONS = List.of(
            "How do I {task}?", "How can I {task}?", "Can you tell me how to {task}?");
    private static final List<String> ANSWERS = List.of("To {task}, {step}", "Here is how: {step}", "You should {step}", "{Step}");

    public HowToTask {
        steps = List.copyOf(steps);
        keywords = Set.copyOf(keywords);
    }

    @Override
    public TaskFamily family() {
        return TaskFamily.HOWTO;
    }

    @Override
    public String question(RandomGenerator rng) {
        return Text.pick(QUESTIONS, rng).replace("{task}", task);
    }

    @Override
    public String correctContent(RandomGenerator rng) {
        return answer(Text.pick(steps, rng), rng);
    }

    @Override
    public String wrongContent(RandomGenerator rng) {
        return answer(Text.pick(Phrases.BAD_ADVICE, rng), rng);
    }

    @Override
    public Correctness judge(List<String> words) {
        return Correctness.byKeywords(words, keywords);
    }

    @Override
    public Stream<String> texts() {
        return Stream.of(QUESTIONS, ANSWERS, steps, List.of(task)).flatMap(List::stream);
    }

    private String answer(String step, RandomGenerator rng) {
        return Text.pick(ANSWERS, rng).replace("{task}", task).replace("{step}", step)
                .replace("{Step}", Text.capitalize(step));
    }
}
