package io.livedpo.trainer.messaging;

import io.livedpo.events.kafka.KafkaClientProperties;
import java.time.Duration;

/**
 * Where and how the trainer consumes pairs.
 *
 * @param commitEvery longest time consumed-but-untrained records (duplicates, dead letters) wait for their commit
 */
public record ConsumerSettings(KafkaClientProperties kafka, String topic, String groupId, Duration pollTimeout,
                               Duration commitEvery) {
}
