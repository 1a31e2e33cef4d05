package io.livedpo.local;

import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code livedpo.checkpoints.v1} from the beginning on its own thread (no consumer group: it only watches) and
 * hands every announcement to a listener.
 */
public final class CheckpointWatcher implements AutoCloseable {

    private final KafkaConsumer<String, CheckpointAnnouncement> consumer;
    private final Thread thread;

    public CheckpointWatcher(String bootstrapServers, Consumer<CheckpointAnnouncement> listener) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new JsonDeserializer<>(CheckpointAnnouncement.class));
        thread = new Thread(() -> follow(listener), "livedpo-announcements");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow(Consumer<CheckpointAnnouncement> listener) {
        try {
            // The topic has one partition (TopicSetup): keyed by policy, compacted.
            List<TopicPartition> partitions = List.of(new TopicPartition(Topics.CHECKPOINTS, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, CheckpointAnnouncement> r : consumer.poll(Duration.ofSeconds(1))) {
                    listener.accept(r.value());
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5000);
    }
}
