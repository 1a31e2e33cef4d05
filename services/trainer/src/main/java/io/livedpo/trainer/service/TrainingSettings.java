package io.livedpo.trainer.service;

import io.livedpo.policy.dpo.DpoConfig;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.optim.AdamWConfig;
import io.livedpo.policy.train.LrDecay;
import io.livedpo.policy.train.OnlineRecipe;
import io.livedpo.policy.train.TrainConfig;
import io.livedpo.trainer.config.TrainerConfig;
import java.time.Duration;
import java.util.List;

/**
 * How pairs become steps and steps become checkpoints, as plain values so the training session runs without Quarkus.
 *
 * @param batchSize            pairs per DPO step (B)
 * @param batchWait            longest a buffered pair waits for its batch to fill (W)
 * @param checkpointEverySteps a policy checkpoints after this many steps (K)
 * @param checkpointEvery      ...or this long after its last checkpoint, if it trained since (T)
 * @param keep                 versions kept per policy
 * @param dedupeWindow         pair ids remembered per policy
 * @param online               steps per batch, replay, reference refresh, staleness
 */
public record TrainingSettings(int batchSize, Duration batchWait, int checkpointEverySteps, Duration checkpointEvery,
                               int keep, int dedupeWindow, LoraConfig lora, TrainConfig train, OnlineRecipe online) {

    /** One step per batch against the base, every pair kept: {@link OnlineRecipe#defaults()}. */
    public TrainingSettings(int batchSize, Duration batchWait, int checkpointEverySteps, Duration checkpointEvery,
                            int keep, int dedupeWindow, LoraConfig lora, TrainConfig train) {
        this(batchSize, batchWait, checkpointEverySteps, checkpointEvery, keep, dedupeWindow, lora, train,
                OnlineRecipe.defaults());
    }

    public TrainingSettings {
        if (batchSize < 1 || checkpointEverySteps < 1 || keep < 1 || dedupeWindow < 0) {
            throw new IllegalArgumentException("batch size, checkpoint steps and keep must be >= 1");
        }
    }

    /** @param familyTargets the base model family's LoRA targets, used unless {@code lora-targets} names others */
    public static TrainingSettings from(TrainerConfig c, List<String> familyTargets) {
        TrainerConfig.Dpo d = c.dpo();
        TrainConfig train = new TrainConfig(new DpoConfig(d.loss(), d.beta(), d.labelSmoothing(), d.sftWeight()),
                d.learningRate(), d.warmupSteps(), d.maxGradNorm(), AdamWConfig.defaults(),
                new LrDecay(d.lrSchedule(), d.lrDecaySteps(), d.minLrRatio()));
        return new TrainingSettings(c.batch().size(), c.batch().maxWait(), c.checkpoint().everySteps(),
                c.checkpoint().every(), c.checkpoint().keep(), c.checkpoint().dedupeWindow(),
                new LoraConfig(d.loraRank(), d.loraAlpha(), d.loraTargets().orElse(familyTargets)), train,
                new OnlineRecipe(d.stepsPerBatch(), d.replaySize(), d.replayPerStep(), d.refreshEvery(),
                        d.refreshAlpha(), d.maxStaleness()));
    }
}
