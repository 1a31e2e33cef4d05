package io.livedpo.trainer.messaging;

import io.livedpo.events.DeadLetterHeaders;
import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/** Sends poison records, byte for byte, to {@code <topic>.dlq} with the reason in headers. */
public final class DeadLetters implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final KafkaProducer<byte[], byte[]> producer;

    public DeadLetters(KafkaClientProperties kafka) {
        this.producer = new KafkaProducer<>(kafka.with(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "livedpo-trainer-dlq")),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Waits for the broker's ack: the poison record's offset is committed afterwards, so it must not be lost in
     * between.
     */
    public void send(ConsumerRecord<byte[], byte[]> poison, String reason, String detail) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(Topics.deadLetter(poison.topic()), null,
                poison.key(), poison.value());
        Headers h = out.headers();
        h.add(DeadLetterHeaders.REASON, utf8(reason));
        h.add(DeadLetterHeaders.DETAIL, utf8(detail));
        h.add(DeadLetterHeaders.SOURCE_TOPIC, utf8(poison.topic()));
        h.add(DeadLetterHeaders.SOURCE_PARTITION, utf8(Integer.toString(poison.partition())));
        h.add(DeadLetterHeaders.SOURCE_OFFSET, utf8(Long.toString(poison.offset())));
        try {
            producer.send(out).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot dead-letter " + poison.topic() + "-" + poison.partition() + "@"
                    + poison.offset(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        }
        LOG.warnf("dead-lettered %s-%d@%d (%s): %s", poison.topic(), poison.partition(), poison.offset(), reason,
                detail);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
