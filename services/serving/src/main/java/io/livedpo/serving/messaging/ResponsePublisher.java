package io.livedpo.serving.messaging;

import io.livedpo.serving.support.Daemons;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.service.ResponseSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Emits response events without ever making a chat request wait for Kafka: events go into a bounded buffer that one
 * sender thread drains into an idempotent, acks=all producer. Failed sends are retried with backoff; an event dropped
 * because the buffer is full or retries ran out is counted and logged.
 */
@ApplicationScoped
public class ResponsePublisher implements ResponseSink {

    private static final Logger LOG = Logger.getLogger(ResponsePublisher.class);

    private final LinkedBlockingQueue<Pending> buffer;
    private final Counter dropped;
    private final KafkaClientProperties kafka;
    private final Duration maxBlock;
    private final int maxAttempts;
    private volatile boolean running;
    private KafkaProducer<String, ResponseEvent> producer;
    private Thread sender;

    /** An event and its delivery attempt; a retry is not sent before {@code notBefore} (System.nanoTime). */
    private record Pending(ResponseEvent event, int attempt, long notBefore) {
    }

    public ResponsePublisher(MeterRegistry meters, ServingConfig config,
                             KafkaClientProperties kafka) {
        this.kafka = kafka;
        this.maxBlock = config.events().maxBlock();
        this.maxAttempts = config.events().maxAttempts();
        this.buffer = new LinkedBlockingQueue<>(config.events().buffer());
        this.dropped = Counter.builder("livedpo.serving.events.dropped")
                .description("response events lost: buffer full or retries exhausted").register(meters);
    }

    void start(@Observes StartupEvent event) {
        producer = new KafkaProducer<>(kafka.with(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "livedpo-serving-responses",
                // Only the sender thread ever blocks on Kafka, and not for long: a missing broker means retry later.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) maxBlock.toMillis(),
                ProducerConfig.LINGER_MS_CONFIG, 5)),
                new StringSerializer(), new JsonSerializer<>());
        running = true;
        sender = Daemons.start("livedpo-response-events", this::drain);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (sender != null) {
            sender.join(Duration.ofSeconds(10).toMillis());
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** Never blocks: queues the event, or counts it as dropped when the buffer is full. */
    @Override
    public void publish(ResponseEvent event) {
        if (!buffer.offer(new Pending(event, 1, 0))) {
            drop(event, "buffer full");
        }
    }

    public int buffered() {
        return buffer.size();
    }

    private void drain() {
        while (running || !buffer.isEmpty()) {
            Pending p;
            try {
                p = buffer.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (p == null) {
                continue;
            }
            try {
                // Paces retries while the broker is away; nothing else waits on this thread.
                TimeUnit.NANOSECONDS.sleep(p.notBefore() - System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                producer.send(new ProducerRecord<>(Topics.RESPONSES, p.event().responseId(), p.event()),
                        (meta, error) -> {
                            if (error != null) {
                                retryOrDrop(p, error);
                            }
                        });
            } catch (RuntimeException e) { // metadata not available within max.block.ms, and the like
                retryOrDrop(p, e);
            }
        }
    }

    private void retryOrDrop(Pending p, Exception error) {
        boolean retriable = error instanceof RetriableException
                || error instanceof org.apache.kafka.common.errors.TimeoutException;
        long notBefore = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(2000L, 100L << p.attempt()));
        if (!retriable || p.attempt() >= maxAttempts
                || !buffer.offer(new Pending(p.event(), p.attempt() + 1, notBefore))) {
            drop(p.event(), error.toString());
            return;
        }
        LOG.debugf("response event %s: attempt %d failed (%s); retrying", p.event().responseId(), p.attempt(),
                error.getMessage());
    }

    private void drop(ResponseEvent event, String reason) {
        dropped.increment();
        LOG.warnf("dropped response event %s (%s)", event.responseId(), reason);
    }
}
