package io.livedpo.simulator;

import java.util.List;
import java.util.Set;

/**
 * What simulated users like, judged from the answer's TEXT ONLY: it must score model output that may be garbled,
 * truncated or in no clean style, so it never sees style labels. Used by simulated users and evaluation, never by
 * training. Deterministic.
 *
 * <p>Words are lower-case runs of letters and digits. The score is the sum of:
 * <ul>
 *   <li><b>correctness</b>: +2 if right, −1 if wrong, −0.5 if the task is not addressed. Right means:
 *     ARITHMETIC mentions the result and no number other than the result and the operands; GREETING mentions the
 *     user's name and no other known name; YESNO's first "yes"/"no" matches the truth; HOWTO and TOPIC contain one of
 *     the task's keywords and no wrong-fact word (freezer, glue, hammer, paint, sand, metal, square, rock, plastic).
 *     Wrong means the contradicting case (another number, another name, the opposite yes/no, a wrong-fact word).</li>
 *   <li><b>politeness</b>: +1 if any polite word (sure, happy, thank, thanks, glad, hope, please, welcome);
 *     −1.5 if any rude word (ugh, dumb, obviously, whatever, silly, lazy, boring, stupid). Flat: repeating
 *     them earns nothing.</li>
 *   <li><b>length</b>: −0.2 per word beyond 15, at most −3 (concise on-topic answers have about 5-15).</li>
 *   <li><b>off-topic</b>: −1.5 if any off-topic word (trains, football, teams, jazz, music, weather, spring, cars,
 *     movies).</li>
 *   <li><b>coherence</b>: −4 × the share of words the domain never uses, and −0.5 per word that immediately repeats
 *     the previous one ("the the"), at most −2.</li>
 * </ul>
 * Garbage — empty text, or text where under 80% of the words are known — scores {@link #GARBAGE}, below any clean
 * answer (the worst clean style scores about −7). The best clean style scores about 3.
 */
public final class HiddenReward {

    public static final double GARBAGE = -8.0;

    static final double RIGHT = 2.0;
    static final double WRONG = -1.0;
    static final double MISSING = -0.5;
    static final double POLITE = 1.0;
    static final double RUDE = -1.5;
    static final double OFF_TOPIC = -1.5;
    static final int LENGTH_ALLOWANCE = 15;
    static final double PER_EXTRA_WORD = -0.2;
    static final double MAX_LENGTH_PENALTY = -3.0;
    static final double PER_UNKNOWN_SHARE = -4.0;
    static final double PER_REPEAT = -0.5;
    static final double MAX_REPEAT_PENALTY = -2.0;
    private static final double MIN_KNOWN_SHARE = 0.8;

    private HiddenReward() {
    }

    public static double score(Prompt prompt, String answerText) {
        List<String> words = Text.words(answerText);
        if (words.isEmpty()) {
            return GARBAGE;
        }
        double knownShare = words.stream().filter(Lexicon::isKnown).count() / (double) words.size();
        if (knownShare < MIN_KNOWN_SHARE) {
            return GARBAGE;
        }
        double score = switch (prompt.task().judge(words)) {
            case CORRECT -> RIGHT;
            case WRONG -> WRONG;
            case MISSING -> MISSING;
        };
        if (containsAny(words, Phrases.POLITE_WORDS)) {
            score += POLITE;
        }
        if (containsAny(words, Phrases.RUDE_WORDS)) {
            score += RUDE;
        }
        if (containsAny(words, Phrases.OFF_TOPIC_WORDS)) {
            score += OFF_TOPIC;
        }
        score += Math.max(MAX_LENGTH_PENALTY, PER_EXTRA_WORD * Math.max(0, words.size() - LENGTH_ALLOWANCE));
        score += PER_UNKNOWN_SHARE * (1 - knownShare);
        score += Math.max(MAX_REPEAT_PENALTY, PER_REPEAT * immediateRepeats(words));
        return score;
    }

    /** The correctness part of the score alone: whether the answer's text gets the prompt's facts right. */
    public static Correctness correctness(Prompt prompt, String answerText) {
        return prompt.task().judge(Text.words(answerText));
    }

    private static boolean containsAny(List<String> words, Set<String> markers) {
        return words.stream().anyMatch(markers::contains);
    }

    private static int immediateRepeats(List<String> words) {
        int repeats = 0;
        for (int i = 1; i < words.size(); i++) {
            if (words.get(i).equals(words.get(i - 1))) {
                repeats++;
            }
        }
        return repeats;
    }
}
