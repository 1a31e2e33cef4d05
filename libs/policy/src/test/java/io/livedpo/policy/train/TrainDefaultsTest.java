package io.livedpo.policy.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.LrScheduleKind;
import org.junit.jupiter.api.Test;

/** The string constants are what annotations see; the typed defaults must be the same values, TRL's where named. */
class TrainDefaultsTest {

    @Test
    void typedDefaultsAreTheDeclaredOnes() {
        TrainConfig train = TrainConfig.defaults();
        assertEquals(new DpoConfig(DpoLossType.SIGMOID, 0.1, 0.0, 0.0), train.dpo());
        assertEquals(DpoConfig.defaults(), train.dpo());
        assertEquals(5e-4f, train.learningRate());
        assertEquals(10, train.warmupSteps());
        assertEquals(new LrDecay(LrScheduleKind.CONSTANT, 50, 0.1), train.decay());
        assertEquals(5e-4f, train.schedule().lr(10_000), "a constant rate after the warm-up");
        assertEquals(1.0f, train.maxGradNorm());
        assertEquals(0.0, train.adamw().weightDecay());
        LoraConfig lora = LoraConfig.defaults();
        assertEquals(8, lora.rank());
        assertEquals(16f, lora.alpha());
    }

    @Test
    void onPolicyTrainingKeepsTheRpoTermOn() {
        assertEquals(1.0, Double.parseDouble(TrainDefaults.ON_POLICY_SFT_WEIGHT));
        assertEquals(0.0, Double.parseDouble(TrainDefaults.SFT_WEIGHT));
    }

    @Test
    void pretrainDefaultsBuildTheDocumentedModel() {
        PretrainRecipe recipe = PretrainRecipe.defaults();
        assertEquals(new PretrainRecipe(1024, 4, 128, 4, 128, 16, 1000, 1e-3f, 50, 0.1, 1.0f, 0L), recipe);
    }
}
