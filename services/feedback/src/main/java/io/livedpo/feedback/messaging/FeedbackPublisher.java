package io.livedpo.feedback.messaging;

import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.Topics;
import io.livedpo.events.kafka.KafkaClientProperties;
import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.feedback.service.FeedbackLog;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes feedback events and completes only when the broker acknowledged them (acks=all, idempotent). Every wait
 * is bounded by the send timeout — metadata ({@code max.block.ms}) and delivery — so a dead broker turns into a
 * failed stage the REST layer answers with 503, never a hung request.
 *
 * <p>{@link #append} is called on the HTTP event loop. {@code send} only appends to a batch once the producer
 * knows the topic's partitions; before that (start-up, or after a failure, when the broker may be gone) it can wait
 * up to {@code max.block.ms} for metadata, so until a send has succeeded it runs on the worker pool instead.
 */
@Startup
@ApplicationScoped
public class FeedbackPublisher implements FeedbackLog {

    private static final int LINGER_MS = 2;

    private final KafkaProducer<String, FeedbackEvent> producer;
    /** The last send was acknowledged, so the producer holds the topic's metadata and {@code send} will not wait. */
    private volatile boolean lastSendAcknowledged;

    public FeedbackPublisher(FeedbackConfig config, KafkaClientProperties kafka) {
        int timeoutMs = Math.toIntExact(config.kafka().sendTimeout().toMillis());
        this.producer = new KafkaProducer<>(kafka.with(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "livedpo-feedback-rest",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // Concurrent requests share batches; 2 ms is noise next to the acks=all round trip.
                ProducerConfig.LINGER_MS_CONFIG, LINGER_MS,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, timeoutMs - LINGER_MS))),
                new StringSerializer(), new JsonSerializer<>());
    }

    @Override
    public CompletionStage<Void> append(FeedbackEvent event) {
        if (lastSendAcknowledged) {
            return send(event);
        }
        Executor workers = Infrastructure.getDefaultWorkerPool();
        return CompletableFuture.supplyAsync(() -> send(event), workers).thenCompose(sent -> sent);
    }

    private CompletableFuture<Void> send(FeedbackEvent event) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.FEEDBACK, event.key(), event), (metadata, failure) -> {
                lastSendAcknowledged = failure == null;
                if (failure == null) {
                    acknowledged.complete(null);
                } else {
                    acknowledged.completeExceptionally(failure);
                }
            });
        } catch (KafkaException e) {
            // No metadata within max.block.ms: the broker is unreachable and nothing was sent.
            lastSendAcknowledged = false;
            acknowledged.completeExceptionally(e);
        }
        return acknowledged;
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
