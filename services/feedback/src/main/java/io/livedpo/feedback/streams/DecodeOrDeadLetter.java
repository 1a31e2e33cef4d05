package io.livedpo.feedback.streams;

import io.livedpo.events.DeadLetterHeaders;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.MalformedEventException;
import io.livedpo.feedback.service.FeedbackObserver;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Deserializes inside the topology, so a poison record becomes a DLQ record with its reason in headers instead of
 * a crashed stream thread. Failed records keep their original bytes; the topology routes them to the DLQ.
 */
final class DecodeOrDeadLetter<T> extends ContextualProcessor<String, byte[], String, Decoded<T>> {

    static final String MALFORMED = "malformed";

    private final JsonDeserializer<T> deserializer;
    private final BiFunction<String, T, String> keyProblem;
    private final FeedbackObserver observer;

    /** @param keyProblem returns why the record key does not fit the value, or null when it does */
    DecodeOrDeadLetter(Class<T> type, BiFunction<String, T, String> keyProblem, FeedbackObserver observer) {
        this.deserializer = new JsonDeserializer<>(type);
        this.keyProblem = keyProblem;
        this.observer = observer;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context().recordMetadata().map(RecordMetadata::topic).orElse("unknown");
        T value;
        try {
            value = deserializer.deserialize(topic, record.value());
        } catch (MalformedEventException e) {
            deadLetter(record, MALFORMED, e.getMessage());
            return;
        }
        if (value == null) {
            deadLetter(record, MALFORMED, "a record without a value on " + topic);
            return;
        }
        String problem = keyProblem.apply(record.key(), value);
        if (problem != null) {
            deadLetter(record, "key_mismatch", problem);
            return;
        }
        context().forward(record.withValue(new Decoded<>(value, null, null)));
    }

    private void deadLetter(Record<String, byte[]> record, String reason, String detail) {
        observer.rejected(reason);
        Headers headers = record.headers();
        add(headers, DeadLetterHeaders.REASON, reason);
        add(headers, DeadLetterHeaders.DETAIL, detail);
        context().recordMetadata().ifPresent(source -> {
            add(headers, DeadLetterHeaders.SOURCE_TOPIC, source.topic());
            add(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(source.partition()));
            add(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(source.offset()));
        });
        context().forward(record.withValue(new Decoded<T>(null, record.value(), reason)));
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
