package io.livedpo.simulator;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/** "What is a + b?" or "What is a times b?" with small operands; the answer is {@link #expected()}. */
public record ArithmeticTask(int a, int b, boolean times) implements Task {

    private static final List<String> PLUS_QUESTIONS = List.of(
            "What is {a} + {b}?", "What is {a} plus {b}?", "How much is {a} plus {b}?");
    private static final List<String> TIMES_QUESTIONS = List.of(
            "What is {a} times {b}?", "How much is {a} times {b}?");
    private static final List<String> ANSWERS = List.of(
            "The answer is {n}.", "It is {n}.", "{a} {op} {b} is {n}.", "That makes {n}.");

    /** Operands from 1 (sums) or 2 (products) to 9: numbers the tiny model can learn as single words. */
    static ArithmeticTask random(RandomGenerator rng) {
        boolean times = rng.nextBoolean();
        int low = times ? 2 : 1;
        return new ArithmeticTask(rng.nextInt(low, 10), rng.nextInt(low, 10), times);
    }

    public int expected() {
        return times ? a * b : a + b;
    }

    @Override
    public TaskFamily family() {
        return TaskFamily.ARITHMETIC;
    }

    @Override
    public String question(RandomGenerator rng) {
        return fill(Text.pick(times ? TIMES_QUESTIONS : PLUS_QUESTIONS, rng), expected());
    }

    @Override
    public String correctContent(RandomGenerator rng) {
        return fill(Text.pick(ANSWERS, rng), expected());
    }

    /** A nearby number that is neither the result nor an operand, so the judge can tell it is wrong. */
    @Override
    public String wrongContent(RandomGenerator rng) {
        int wrong;
        do {
            wrong = expected() + (rng.nextBoolean() ? 1 : -1) * rng.nextInt(1, 4);
        } while (wrong <= 0 || wrong == a || wrong == b || wrong == expected());
        return fill(Text.pick(ANSWERS, rng), wrong);
    }

    /** Right: says the result and no number other than the result and the operands (echoing the sum is fine). */
    @Override
    public Correctness judge(List<String> words) {
        List<Integer> numbers = words.stream().filter(w -> w.matches("\\d{1,6}")).map(Integer::valueOf).toList();
        if (numbers.stream().anyMatch(n -> n != a && n != b && n != expected())) {
            return Correctness.WRONG;
        }
        return numbers.contains(expected()) ? Correctness.CORRECT : Correctness.MISSING;
    }

    @Override
    public Stream<String> texts() {
        return Stream.of(PLUS_QUESTIONS, TIMES_QUESTIONS, ANSWERS, List.of("plus times"))
                .flatMap(List::stream);
    }

    private String fill(String template, int n) {
        return template.replace("{a}", Integer.toString(a)).replace("{b}", Integer.toString(b))
                .replace("{op}", times ? "times" : "plus").replace("{n}", Integer.toString(n));
    }
}
