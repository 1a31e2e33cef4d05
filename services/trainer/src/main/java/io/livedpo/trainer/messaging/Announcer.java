package io.livedpo.trainer.messaging;

import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Announces published checkpoints on the compacted checkpoints topic, keyed by policy (the newest one wins). */
public final class Announcer implements AutoCloseable {

    private final KafkaProducer<String, CheckpointAnnouncement> producer;

    public Announcer(KafkaClientProperties kafka) {
        this.producer = new KafkaProducer<>(kafka.with(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "livedpo-trainer-announcements")),
                new StringSerializer(), new JsonSerializer<>());
    }

    public void announce(CheckpointAnnouncement announcement) {
        try {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, announcement.policy(), announcement))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot announce " + announcement.policy() + " v"
                    + announcement.version(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while announcing", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
