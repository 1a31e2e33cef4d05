package io.livedpo.policy.train;

import io.livedpo.policy.dpo.KtoConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@link DpoTrainer} driven by an {@link OnlineRecipe}: each new mini-batch is trained for {@code stepsPerBatch} steps,
 * each step with {@code replayPerStep} pairs drawn from a buffer of recent ones, and the reference follows the policy
 * every {@code refreshEvery} steps when asked to. The one place the trainer service and {@code livedpo replay} turn
 * pairs into steps. The replay draw is seeded, and the buffer is rebuilt from nothing after a restart.
 */
public final class OnlineDpo {

    private final DpoTrainer trainer;
    private final OnlineRecipe recipe;
    private final ArrayDeque<PreferenceExample> replay = new ArrayDeque<>();
    private final SplittableRandom rng;
    private final KtoConfig kto;

    public OnlineDpo(DpoTrainer trainer, OnlineRecipe recipe, long seed) {
        this(trainer, recipe, KtoConfig.defaults(), seed);
    }

    /** {@code kto}: how the single thumbs votes given to {@link #train(List, List)} train (off: they are ignored). */
    public OnlineDpo(DpoTrainer trainer, OnlineRecipe recipe, KtoConfig kto, long seed) {
        this.trainer = trainer;
        this.recipe = recipe;
        this.kto = kto;
        this.rng = new SplittableRandom(seed);
    }

    /**
     * Trains on one new mini-batch. Returns the first step's result (whether the new pairs were applied, and their
     * metrics before any update, plus {@code replayed_pairs} and {@code steps}) with the optimizer's step count after
     * the last; a skipped first step skips the batch, which then never enters the replay buffer.
     */
    public StepResult train(List<PreferenceExample> batch) {
        return train(batch, List.of());
    }

    /**
     * As {@link #train(List)}, with single thumbs votes trained beside the new pairs in every step of the batch (not
     * replayed: the replay buffer holds pairs only).
     */
    public StepResult train(List<PreferenceExample> batch, List<ThumbsExample> singles) {
        StepResult first = null;
        int replayed = 0;
        for (int i = 0; i < recipe.stepsPerBatch(); i++) {
            List<PreferenceExample> examples = withReplay(batch);
            replayed += examples.size() - batch.size();
            StepResult r = trainer.step(examples, singles, kto);
            if (first == null) {
                first = r;
                if (!r.applied()) {
                    return r;
                }
            }
            if (r.applied() && recipe.refreshEvery() > 0 && trainer.steps() % recipe.refreshEvery() == 0) {
                trainer.refreshReference(recipe.refreshAlpha());
            }
        }
        remember(batch);
        Map<String, Double> metrics = new LinkedHashMap<>(first.metrics());
        metrics.put("replayed_pairs", (double) replayed);
        metrics.put("steps", (double) recipe.stepsPerBatch());
        // The pairs of the batch, not the replayed ones: those were accounted for when they were new.
        return new StepResult(trainer.steps(), true, null, metrics, batch.stream()
                .map(PreferenceExample::pairId).toList());
    }

    public DpoTrainer trainer() {
        return trainer;
    }

    public OnlineRecipe recipe() {
        return recipe;
    }

    private List<PreferenceExample> withReplay(List<PreferenceExample> batch) {
        if (recipe.replayPerStep() == 0 || replay.isEmpty()) {
            return batch;
        }
        List<PreferenceExample> buffered = new ArrayList<>(replay);
        List<PreferenceExample> out = new ArrayList<>(batch);
        for (int i = 0; i < Math.min(recipe.replayPerStep(), buffered.size()); i++) {
            // Without replacement: swap the drawn one to the end of the unused range.
            int j = i + rng.nextInt(buffered.size() - i);
            PreferenceExample drawn = buffered.get(j);
            buffered.set(j, buffered.get(i));
            buffered.set(i, drawn);
            out.add(drawn);
        }
        return out;
    }

    private void remember(List<PreferenceExample> batch) {
        if (recipe.replaySize() == 0) {
            return;
        }
        for (PreferenceExample p : batch) {
            replay.addLast(p);
            if (replay.size() > recipe.replaySize()) {
                replay.removeFirst();
            }
        }
    }
}
