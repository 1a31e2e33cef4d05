package io.livedpo.simulator;

/** The kinds of request the synthetic assistant domain has; each has a checkable right answer. */
public enum TaskFamily {
    /** Small sums and products: "What is 3 + 5?" */
    ARITHMETIC,
    /** The user introduces themselves: "Hello, I am Ana." The right answer greets them by name. */
    GREETING,
    /** Short how-to questions from a fixed list: "How do I boil an egg?" */
    HOWTO,
    /** Factual yes/no questions with a known answer: "Is the sun hot?" */
    YESNO,
    /** The user names a topic: "Tell me about cats." */
    TOPIC
}
