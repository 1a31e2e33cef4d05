package io.livedpo.simulator;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The facts behind one prompt: enough to ask it, to write a right or a wrong answer, and to judge any answer's text.
 * One record per {@link TaskFamily}.
 */
public sealed interface Task permits ArithmeticTask, GreetingTask, HowToTask, YesNoTask, TopicTask {

    TaskFamily family();

    /** The user's message, in one of several phrasings. */
    String question(RandomGenerator rng);

    /** The core of a right answer, without any tone, filler or digression. */
    String correctContent(RandomGenerator rng);

    /** The core of a wrong answer: it addresses the task but states a false fact. */
    String wrongContent(RandomGenerator rng);

    /** Judges the lower-case words of an answer, whatever produced them. */
    Correctness judge(List<String> words);

    /** Every text this task can put into a prompt or an answer, for the known-word list. */
    Stream<String> texts();
}
