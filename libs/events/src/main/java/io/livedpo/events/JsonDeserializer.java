package io.livedpo.events;

import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads one event type; throws {@link MalformedEventException} naming the type, topic and cause otherwise. */
public class JsonDeserializer<T> implements Deserializer<T> {

    private static final int EXCERPT_CHARS = 120;

    private final Class<T> type;
    // Resolved once: the mapper would look the type's root deserializer up again for every record.
    private final ObjectReader reader;

    public JsonDeserializer(Class<T> type) {
        this.type = type;
        this.reader = EventJson.MAPPER.readerFor(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        T value;
        try {
            value = reader.readValue(data);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEventException("Not a " + type.getSimpleName() + " on " + topic + ": "
                    + rootMessage(e) + " (value starts with: " + excerpt(data) + ")", e);
        }
        if (value == null) {
            throw new MalformedEventException("Not a " + type.getSimpleName() + " on " + topic
                    + ": the value is JSON null", null);
        }
        return value;
    }

    /** Jackson wraps constructor checks; the innermost message is the one that names the field. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String excerpt(byte[] data) {
        String text = new String(data, 0, Math.min(data.length, EXCERPT_CHARS * 4), StandardCharsets.UTF_8);
        return text.length() > EXCERPT_CHARS ? text.substring(0, EXCERPT_CHARS) + "…" : text;
    }
}
