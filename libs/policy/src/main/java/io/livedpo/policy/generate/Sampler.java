package io.livedpo.policy.generate;

import java.util.SplittableRandom;

/** Picks the next token from one row of logits. */
public interface Sampler {

    /**
     * @param logits the row, [V]; implementations may overwrite it
     */
    int sample(float[] logits, SplittableRandom rng);

    static Sampler of(SamplingParams p) {
        return p.temperature() == 0f ? new ArgmaxSampler() : new FilteredSampler(p.temperature(), p.topK(), p.topP());
    }
}
