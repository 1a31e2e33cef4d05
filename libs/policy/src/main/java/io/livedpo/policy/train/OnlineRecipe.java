package io.livedpo.policy.train;

/**
 * How a stream of live pairs becomes optimizer steps, beyond one step per mini-batch: the knobs of the recipe study in
 * {@code docs/LEARNING.md}. Defaults in {@link TrainDefaults}.
 *
 * @param stepsPerBatch   optimizer steps taken on each new mini-batch (each with fresh replay samples)
 * @param replaySize      recent trained pairs kept for replay (0: no replay)
 * @param replayPerStep   replayed pairs added to each step's batch
 * @param refreshEvery    TR-DPO: the reference moves toward the policy every this many steps (0: the base stays the
 *                        reference)
 * @param refreshAlpha    TR-DPO's α: 1 copies the policy (hard update), less mixes (soft)
 * @param maxStaleness    pairs whose older answer came from a version more than this many versions behind the one
 *                        being trained are dropped (negative: keep all)
 */
public record OnlineRecipe(int stepsPerBatch, int replaySize, int replayPerStep, int refreshEvery, float refreshAlpha,
                           long maxStaleness) {

    public OnlineRecipe {
        if (stepsPerBatch < 1) {
            throw new IllegalArgumentException("steps per batch must be >= 1, got " + stepsPerBatch);
        }
        if (replaySize < 0 || replayPerStep < 0 || replayPerStep > 0 && replaySize == 0) {
            throw new IllegalArgumentException("replay needs a buffer: size " + replaySize + ", per step "
                    + replayPerStep);
        }
        if (refreshEvery < 0 || !(refreshAlpha > 0 && refreshAlpha <= 1)) {
            throw new IllegalArgumentException("reference refresh: every >= 0 steps and alpha in (0, 1], got "
                    + refreshEvery + ", " + refreshAlpha);
        }
    }

    public static OnlineRecipe defaults() {
        return new OnlineRecipe(Integer.parseInt(TrainDefaults.STEPS_PER_BATCH),
                Integer.parseInt(TrainDefaults.REPLAY_SIZE), Integer.parseInt(TrainDefaults.REPLAY_PER_STEP),
                Integer.parseInt(TrainDefaults.REFRESH_EVERY), Float.parseFloat(TrainDefaults.REFRESH_ALPHA),
                Long.parseLong(TrainDefaults.MAX_STALENESS));
    }

    /** True when a pair whose answers came from {@code answerVersion} may train the policy at {@code trainedVersion}. */
    public boolean fresh(long answerVersion, long trainedVersion) {
        return maxStaleness < 0 || trainedVersion - answerVersion <= maxStaleness;
    }
}
