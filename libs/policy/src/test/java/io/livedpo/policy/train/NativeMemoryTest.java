package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.Scorer;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long runs must not leak native arrays: every step's temporaries are scoped and freed. */
class NativeMemoryTest {

    @Test
    void thousandTrainingStepsLeaveNoLiveArraysBehind() throws IOException {
        try (NDManager manager = NDManager.newBaseManager(); Gpt2Model model = Gpt2Model.load(Fixtures.TINY, manager);
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.defaults(), 1L, manager)) {
            DpoTrainer trainer = new DpoTrainer(model, adapter, TrainConfig.defaults());
            List<PreferenceExample> batch = List.of(
                    new PreferenceExample("a", new long[] {1, 2, 3}, new long[] {4, 5, 406}, new long[] {6, 406}),
                    new PreferenceExample("b", new long[] {7, 8}, new long[] {9, 10, 11, 406}, new long[] {12, 406}));
            Scorer scorer = new Scorer(model);
            Generator generator = new Generator(model, ids -> "");
            // The first step creates the optimizer state; after it, the count must hold still.
            trainer.step(batch);
            int baseline = manager.getManagedArrays().size();
            for (int i = 0; i < 1000; i++) {
                trainer.step(batch);
                if (i % 100 == 0) {
                    scorer.score(List.of(new PromptCompletion(new long[] {1, 2}, new long[] {3})), adapter, 1);
                    generator.generate(List.of(new long[] {1, 2}), List.of(SamplingParams.greedy(4)), adapter);
                    assertNoGrowth(baseline, manager, "after step " + (i + 2));
                }
            }
            // Every step is applied: a skipped step does no optimizer work, so skips would hide a leak in the update.
            assertEquals(0, trainer.skippedBatches(), "skipped batches");
            assertEquals(1001, trainer.steps());
            assertNoGrowth(baseline, manager, "after 1,001 steps");
        }
    }

    /** Fewer is fine (a lazily created array may be released later); more is a leak. */
    private static void assertNoGrowth(int baseline, NDManager manager, String when) {
        int live = manager.getManagedArrays().size();
        assertTrue(live <= baseline, "live arrays grew from " + baseline + " to " + live + " " + when);
    }
}
