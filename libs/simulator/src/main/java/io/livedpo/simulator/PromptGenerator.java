package io.livedpo.simulator;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A deterministic stream of prompts for a seed, families drawn uniformly. Use one seed for training traffic and a
 * different one for evaluation, so evaluation prompts are a fresh draw. Not thread-safe: one generator per thread.
 */
public final class PromptGenerator {

    private final long seed;
    private final RandomGenerator rng;
    private long count;

    public PromptGenerator(long seed) {
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
    }

    public Prompt next() {
        TaskFamily[] families = TaskFamily.values();
        return next(families[rng.nextInt(families.length)]);
    }

    /** A prompt of the given family; ids are "seed-n", unique per generator and distinct across seeds. */
    public Prompt next(TaskFamily family) {
        Task task = Catalog.sample(family, rng);
        return new Prompt(seed + "-" + count++, task.question(rng), task);
    }
}
