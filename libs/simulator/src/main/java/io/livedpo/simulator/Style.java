package io.livedpo.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** How an answer is written, on four independent binary axes. The first value of each is what users like. */
public record Style(boolean correct, boolean polite, boolean concise, boolean onTopic) {

    public static final Style BEST = new Style(true, true, true, true);
    public static final Style WORST = new Style(false, false, false, false);

    /** Each axis a fair coin, so all 16 styles are equally likely. */
    public static Style random(RandomGenerator rng) {
        return new Style(rng.nextBoolean(), rng.nextBoolean(), rng.nextBoolean(), rng.nextBoolean());
    }

    /** All 16 styles. */
    public static List<Style> all() {
        List<Style> styles = new ArrayList<>(16);
        for (int bits = 0; bits < 16; bits++) {
            styles.add(new Style((bits & 8) == 0, (bits & 4) == 0, (bits & 2) == 0, (bits & 1) == 0));
        }
        return List.copyOf(styles);
    }
}
