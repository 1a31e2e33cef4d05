package io.livedpo.policy.generate;

/**
 * How much a {@link ContinuousBatch} does at once.
 *
 * @param maxRunning sequences holding a KV-cache slot (decoding or prefilling); more wait to be admitted
 * @param stepTokens tokens one step may feed the model: one per decoding sequence, the rest goes to prompt chunks, so
 *                   a long prompt is prefilled over several steps instead of stalling everyone's next token
 */
public record BatchLimits(int maxRunning, int stepTokens) {

    public BatchLimits {
        if (maxRunning < 1) {
            throw new IllegalArgumentException("max running sequences must be >= 1, got " + maxRunning);
        }
        if (stepTokens <= maxRunning) {
            throw new IllegalArgumentException("step tokens (" + stepTokens + ") must exceed max running sequences ("
                    + maxRunning + "), or prompts could never be prefilled while all slots decode");
        }
    }
}
