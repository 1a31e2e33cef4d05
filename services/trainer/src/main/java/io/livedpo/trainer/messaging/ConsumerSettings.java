package io.livedpo.trainer.messaging;

import java.time.Duration;

/**
 * Where and how the trainer consumes pairs.
 *
 * @param commitEvery longest time consumed-but-untrained records (duplicates, dead letters) wait for their commit
 */
public record ConsumerSettings(String bootstrapServers, String topic, String groupId, Duration pollTimeout,
                               Duration commitEvery) {
}
