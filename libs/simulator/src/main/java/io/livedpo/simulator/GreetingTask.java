package io.livedpo.simulator;

import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/** The user introduces themselves by a name from {@link #NAMES}; a right answer greets them by that name. */
public record GreetingTask(String name) implements Task {

    public static final List<String> NAMES = List.of(
            "Ana", "Ben", "Carla", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jack", "Lena", "Omar");

    private static final List<String> QUESTIONS = List.of(
            "Hello, I am {name}.", "Hi, my name is {name}.", "Hey there, I am {name}.");
    private static final List<String> ANSWERS = List.of(
            "Nice to meet you, {name}.", "Hello {name}, good to meet you.", "Hi {name}, how are you today?",
            "Hi {name}, what can I do for you?");

    public GreetingTask {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("not a known name: " + name);
        }
    }

    @Override
    public TaskFamily family() {
        return TaskFamily.GREETING;
    }

    @Override
    public String question(RandomGenerator rng) {
        return Text.pick(QUESTIONS, rng).replace("{name}", name);
    }

    @Override
    public String correctContent(RandomGenerator rng) {
        return Text.pick(ANSWERS, rng).replace("{name}", name);
    }

    /** Greets someone else: the classic mistake of a model that did not read the message. */
    @Override
    public String wrongContent(RandomGenerator rng) {
        String other;
        do {
            other = Text.pick(NAMES, rng);
        } while (other.equals(name));
        return Text.pick(ANSWERS, rng).replace("{name}", other);
    }

    @Override
    public Correctness judge(List<String> words) {
        String own = name.toLowerCase(Locale.ROOT);
        boolean other = NAMES.stream().map(n -> n.toLowerCase(Locale.ROOT))
                .anyMatch(n -> !n.equals(own) && words.contains(n));
        if (other) {
            return Correctness.WRONG;
        }
        return words.contains(own) ? Correctness.CORRECT : Correctness.MISSING;
    }

    @Override
    public Stream<String> texts() {
        return Stream.concat(Stream.of(QUESTIONS, ANSWERS).flatMap(List::stream), NAMES.stream());
    }
}
