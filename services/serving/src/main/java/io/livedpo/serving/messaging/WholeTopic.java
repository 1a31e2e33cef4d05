package io.livedpo.serving.messaging;

import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/** Serving's followers read their (compacted, small) topics whole: every partition, from the beginning. */
final class WholeTopic {

    private WholeTopic() {
    }

    /**
     * Assigns every partition of {@code topic} and seeks to its beginning; false while the topic does not exist yet
     * or no broker answers (chat needs neither, so the caller retries).
     */
    static boolean assign(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(topic);
        } catch (TimeoutException e) {
            return false;
        }
        if (partitions == null || partitions.isEmpty()) {
            return false;
        }
        List<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(all);
        consumer.seekToBeginning(all);
        return true;
    }
}
