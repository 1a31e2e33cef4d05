package io.livedpo.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livedpo.policy.optim.LrScheduleKind;
import io.livedpo.policy.optim.WarmupCosine;
import io.livedpo.policy.optim.WarmupInverseSqrt;
import io.livedpo.policy.train.LrDecay;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.trainer.config.TrainerConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The learning-rate decay and LoRA target keys, read through SmallRye's own conversion into the trainer's settings. */
class TrainingSettingsTest {

    private static TrainingSettings settings(Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(
                "livedpo.trainer.model-dir", "/nonexistent/model",
                "livedpo.trainer.store-dir", "/nonexistent/store"));
        props.putAll(extra);
        // Quarkus's duration syntax ("2s") and ${...} expressions, as the service's own configuration reads them.
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withConverter(Duration.class, 100, new DurationConverter()).withMapping(TrainerConfig.class)
                .withSources(new PropertiesConfigSource(props, "test", 500)).build();
        return TrainingSettings.from(config.getConfigMapping(TrainerConfig.class), List.of("c_attn"));
    }

    @Test
    void byDefaultTheRateStaysAtItsPeakAfterTheWarmup() {
        TrainConfig train = settings(Map.of()).train();
        assertEquals(TrainConfig.defaults().decay(), train.decay());
        assertEquals(LrScheduleKind.CONSTANT, train.decay().kind());
        assertEquals(train.learningRate(), train.schedule().lr(100_000));
    }

    @Test
    void anInverseSqrtDecayIsConfiguredByItsKebabCaseName() {
        TrainConfig train = settings(Map.of(
                "livedpo.trainer.dpo.learning-rate", "2e-3",
                "livedpo.trainer.dpo.warmup-steps", "5",
                "livedpo.trainer.dpo.lr-schedule", "inverse-sqrt",
                "livedpo.trainer.dpo.lr-decay-steps", "20",
                "livedpo.trainer.dpo.min-lr-ratio", "0.25")).train();
        assertEquals(new LrDecay(LrScheduleKind.INVERSE_SQRT, 20, 0.25), train.decay());
        assertEquals(new WarmupInverseSqrt(2e-3f, 5e-4f, 5, 20), train.schedule());
        assertEquals(1e-3f, train.schedule().lr(80), 1e-9f);
    }

    @Test
    void aCosineDecayRunsItsLengthAfterTheWarmup() {
        TrainConfig train = settings(Map.of(
                "livedpo.trainer.dpo.learning-rate", "2e-3",
                "livedpo.trainer.dpo.warmup-steps", "10",
                "livedpo.trainer.dpo.lr-schedule", "cosine",
                "livedpo.trainer.dpo.lr-decay-steps", "120")).train();
        // The default floor, a tenth of the peak.
        assertEquals(new WarmupCosine(2e-3f, (float) (2e-3f * 0.1), 10, 130), train.schedule());
    }

    @Test
    void loraAdaptsTheFamilysProjectionsUnlessTargetsAreNamed() {
        assertEquals(List.of("c_attn"), settings(Map.of()).lora().targetModules());
        assertEquals(List.of("attn.c_attn", "mlp.c_fc"),
                settings(Map.of("livedpo.trainer.dpo.lora-targets", "attn.c_attn,mlp.c_fc")).lora().targetModules());
    }

    @Test
    void anUnknownScheduleOrAFloorOutsideZeroToOneIsRejected() {
        assertThrows(RuntimeException.class, () -> settings(Map.of("livedpo.trainer.dpo.lr-schedule", "linear")));
        assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("livedpo.trainer.dpo.min-lr-ratio", "1.5")));
    }
}
