package io.livedpo.simulator;

import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * "Tell me about {topic}." A right answer states one of {@link #facts()}; the judge looks for {@link #keywords()}.
 * {@code subjectVerb} ("Cats are", "The ocean is") lets a wrong answer state a falsehood grammatically.
 */
public record TopicTask(String topic, String subjectVerb, List<String> facts, Set<String> keywords) implements Task {

    private static final List<String> QUESTIONS = List.of(
            "Tell me about {topic}.", "What do you know about {topic}?", "I want to learn about {topic}.");
    private static final List<String> ANSWERS = List.of("{fact}", "Here is a fact. {fact}", "I can tell you this. {fact}");

    public TopicTask {
        facts = List.copyOf(facts);
        keywords = Set.copyOf(keywords);
    }

    @Override
    public TaskFamily family() {
        return TaskFamily.TOPIC;
    }

    @Override
    public String question(RandomGenerator rng) {
        return Text.pick(QUESTIONS, rng).replace("{topic}", topic);
    }

    @Override
    public String correctContent(RandomGenerator rng) {
        return Text.pick(ANSWERS, rng).replace("{fact}", Text.pick(facts, rng));
    }

    @Override
    public String wrongContent(RandomGenerator rng) {
        return Text.pick(ANSWERS, rng).replace("{fact}", subjectVerb + " " + Text.pick(Phrases.FALSEHOODS, rng));
    }

    @Override
    public Correctness judge(List<String> words) {
        return Correctness.byKeywords(words, keywords);
    }

    @Override
    public Stream<String> texts() {
        return Stream.of(QUESTIONS, ANSWERS, facts, List.of(topic, subjectVerb)).flatMap(List::stream);
    }
}
