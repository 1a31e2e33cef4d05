package io.livedpo.feedback;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning (committed records only) until a condition holds or a deadline passes. */
public final class TopicReader<V> implements AutoCloseable {

    private final KafkaConsumer<String, V> consumer;
    private final List<V> seen = new ArrayList<>();

    public TopicReader(String bootstrap, String topic, Deserializer<V> values) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), values);
        consumer.subscribe(List.of(topic));
    }

    /** Everything read so far once {@code done} holds for it; fails after {@code deadline}. */
    public List<V> readUntil(Predicate<List<V>> done, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + deadline + "; read " + seen.size()
                        + " records: " + seen);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.value()));
        }
        return List.copyOf(seen);
    }

    /** Everything read so far, after one short poll for more. */
    public List<V> poll() {
        consumer.poll(Duration.ofMillis(10)).forEach(record -> seen.add(record.value()));
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
