package io.livedpo.policy.generate;

import java.util.SplittableRandom;

/** Temperature 0: the most likely token (the lowest id on a tie, as torch.argmax). */
final class ArgmaxSampler implements Sampler {

    @Override
    public int sample(float[] logits, SplittableRandom rng) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
