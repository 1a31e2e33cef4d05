package io.livedpo.simulator;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The shared sentences that give an answer its style, and the marker words the judge looks for in them. Marker sets
 * are disjoint from each other and from every task's content, so each style axis moves exactly one reward term.
 */
final class Phrases {

    private Phrases() {
    }

    static final List<String> POLITE_OPENERS = List.of(
            "Sure!", "Happy to help.", "Thank you for asking.", "Glad you asked.");
    static final List<String> POLITE_CLOSERS = List.of(
            "Hope this helps.", "Please ask if you need more.", "Thanks for the question.",
            "Ask again any time, you are welcome.");
    static final Set<String> POLITE_WORDS = Set.of(
            "sure", "happy", "thank", "thanks", "glad", "hope", "please", "welcome");

    static final List<String> RUDE_OPENERS = List.of(
            "Ugh.", "What a dumb question.", "Obviously.", "Whatever.");
    static final List<String> RUDE_CLOSERS = List.of(
            "Stop asking me silly things.", "Do not be so lazy next time.", "That was boring.",
            "Even a child knows that, stupid.");
    static final Set<String> RUDE_WORDS = Set.of(
            "ugh", "dumb", "obviously", "whatever", "silly", "lazy", "boring", "stupid");

    /** Rambling: sentences that say nothing. No marker words, no yes/no, no digits. */
    static final List<String> FILLER = List.of(
            "Let me think about this.",
            "There is so much one could say.",
            "I will try to explain.",
            "People ask about this a lot.",
            "In any case, it depends.",
            "To be honest, it is hard to say.",
            "Well, there is more to the story.",
            "I have thought about this before.");

    /** Off-topic: a sentence about something else entirely. */
    static final List<String> DIGRESSIONS = List.of(
            "By the way, trains are very fast.",
            "Did you know that football is played by two teams?",
            "Anyway, I really like jazz music.",
            "Speaking of which, the weather is lovely in spring.",
            "Also, old cars make a lot of noise.",
            "By the way, I watched three movies last week.");
    static final Set<String> OFF_TOPIC_WORDS = Set.of(
            "trains", "football", "teams", "jazz", "music", "weather", "spring", "cars", "movies");

    /** Wrong how-to answers give one of these pieces of advice. */
    static final List<String> BAD_ADVICE = List.of(
            "put it in the freezer for a week.", "cover it with glue.", "hit it with a hammer.",
            "paint it red and wait.", "bury it in sand.");
    /** Wrong topic answers state one of these, after "Cats are" / "The ocean is". */
    static final List<String> FALSEHOODS = List.of(
            "made of metal.", "a kind of square rock.", "made of plastic and sand.", "only found inside a freezer.");
    /** Words that only appear in bad advice and falsehoods: their presence makes a how-to or topic answer wrong. */
    static final Set<String> WRONG_FACT_WORDS = Set.of(
            "freezer", "glue", "hammer", "paint", "sand", "metal", "square", "rock", "plastic");

    static Stream<String> texts() {
        return Stream.of(POLITE_OPENERS, POLITE_CLOSERS, RUDE_OPENERS, RUDE_CLOSERS, FILLER, DIGRESSIONS,
                BAD_ADVICE, FALSEHOODS).flatMap(List::stream);
    }
}
