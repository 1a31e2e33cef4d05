package io.livedpo.trainer.service;

import io.livedpo.trainer.config.TrainerConfig;
import java.util.List;

/**
 * The guard rail: probe prompts, answers sampled per prompt and their length, the KL budget, and whether a policy
 * over it keeps training.
 */
public record KlSettings(double budget, List<String> probePrompts, int maxTokens, int samples,
                         boolean continueOnBreach) {

    public KlSettings {
        probePrompts = List.copyOf(probePrompts);
        if (probePrompts.isEmpty() || maxTokens < 1 || samples < 1) {
            throw new IllegalArgumentException("the KL probe needs at least one prompt, sample and token");
        }
    }

    /** One sampled answer per probe prompt. */
    public KlSettings(double budget, List<String> probePrompts, int maxTokens, boolean continueOnBreach) {
        this(budget, probePrompts, maxTokens, 1, continueOnBreach);
    }

    public static KlSettings from(TrainerConfig c) {
        return new KlSettings(c.kl().budget(), c.kl().probePrompts(), c.kl().maxTokens(), c.kl().samples(),
                c.kl().continueOnBreach());
    }
}
