package io.livedpo.trainer.messaging;

import io.livedpo.events.kafka.KafkaClientProperties;
import java.time.Duration;

/**
 * Where and how the trainer consumes pairs.
 *
 * @param commitEvery longest time consumed-but-untrained records (duplicates, dead letters) wait for their commit
 * @param maxPollRecords records one poll returns at most: the pairs of one checkpoint interval, so that a backlog
 *                       (after a restart, or a trainer slower than its users) is still checkpointed and published
 *                       every K·B pairs instead of once per 500-record poll
 */
public record ConsumerSettings(KafkaClientProperties kafka, String topic, String groupId, Duration pollTimeout,
                               Duration commitEvery, int maxPollRecords) {

    public ConsumerSettings {
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("max poll records must be >= 1, got " + maxPollRecords);
        }
    }
}
