package io.livedpo.simulator;

import java.util.Collection;
import java.util.List;

/** What an answer's text says about the task, as {@link HiddenReward} judges it. */
public enum Correctness {
    /** The right fact is there and nothing contradicts it. */
    CORRECT,
    /** A contradicting fact is there (a wrong number, another name, the opposite yes/no, bad advice). */
    WRONG,
    /** Neither: the answer does not address the task at all. */
    MISSING;

    /** For tasks judged by keywords: any wrong-fact word makes it wrong, else any expected keyword makes it right. */
    static Correctness byKeywords(List<String> words, Collection<String> keywords) {
        if (words.stream().anyMatch(Phrases.WRONG_FACT_WORDS::contains)) {
            return WRONG;
        }
        return words.stream().anyMatch(keywords::contains) ? CORRECT : MISSING;
    }
}
