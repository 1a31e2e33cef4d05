package io.livedpo.load;

import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Response ids that exist: the keys of {@link Topics#RESPONSES}, read from the beginning (no consumer group), so a
 * feedback firehose votes on answers serving really gave and the pairing can join them.
 */
public final class ResponseIds {

    private ResponseIds() {
    }

    public static List<String> read(String bootstrap, int max, Duration timeout) {
        Map<String, Object> config = KafkaClientProperties.plaintext(bootstrap).with(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000));
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESPONSES, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (ids.size() < max && System.nanoTime() < deadline
                    && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && ids.size() < max) {
                        ids.add(r.key());
                    }
                }
            }
        }
        return ids;
    }
}
