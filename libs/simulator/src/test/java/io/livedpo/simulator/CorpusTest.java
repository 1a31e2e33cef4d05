package io.livedpo.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CorpusTest {

    private static final List<Dialogue> CORPUS = Corpus.dialogues(71, 10_000);

    @Test
    void familiesAndStylesAreUniform() {
        Map<TaskFamily, Integer> families = new HashMap<>();
        Map<Style, Integer> styles = new HashMap<>();
        for (Dialogue d : CORPUS) {
            families.merge(d.prompt().family(), 1, Integer::sum);
            styles.merge(d.style(), 1, Integer::sum);
        }
        assertEquals(TaskFamily.values().length, families.size());
        families.values().forEach(n -> assertEquals(2000, n, 200, "family count"));
        assertEquals(16, styles.size());
        styles.values().forEach(n -> assertEquals(625, n, 100, "style count"));
    }

    /** The answers must suit a ~1M-parameter model trained from scratch: small vocabulary, short texts. */
    @Test
    void answersAreSmallAndSimple() {
        Set<String> vocabulary = new TreeSet<>();
        long words = 0;
        int withinFiveToThirty = 0;
        int longest = 0;
        for (Dialogue d : CORPUS) {
            List<String> w = Text.words(d.answer());
            vocabulary.addAll(w);
            words += w.size();
            withinFiveToThirty += w.size() >= 5 && w.size() <= 30 ? 1 : 0;
            longest = Math.max(longest, w.size());
        }
        double meanLength = words / (double) CORPUS.size();
        System.out.printf("corpus: %d distinct answer words, mean answer length %.1f words, %.1f%% of 5-30 words,"
                + " longest %d%n", vocabulary.size(), meanLength, 100.0 * withinFiveToThirty / CORPUS.size(), longest);
        assertTrue(vocabulary.size() < 500, "vocabulary " + vocabulary.size());
        assertTrue(meanLength > 10 && meanLength < 30, "mean length " + meanLength);
        assertTrue(withinFiveToThirty > 0.8 * CORPUS.size(), "answers of 5-30 words: " + withinFiveToThirty);
        assertTrue(longest <= 50, "longest answer " + longest);
    }
}
