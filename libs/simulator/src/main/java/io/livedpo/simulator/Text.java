package io.livedpo.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/** Small text helpers shared by the writer and the judge. */
final class Text {

    private Text() {
    }

    /** Lower-case runs of letters and digits: punctuation and odd symbols never count as words. */
    static List<String> words(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+"))
                .filter(w -> !w.isEmpty())
                .toList();
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static <T> T pick(List<T> items, RandomGenerator rng) {
        return items.get(rng.nextInt(items.size()));
    }

    /** {@code n} distinct items in random order, so filler never repeats a sentence. */
    static <T> List<T> pickDistinct(List<T> items, int n, RandomGenerator rng) {
        List<T> pool = new ArrayList<>(items);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n && !pool.isEmpty(); i++) {
            out.add(pool.remove(rng.nextInt(pool.size())));
        }
        return out;
    }
}
