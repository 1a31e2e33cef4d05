package io.livedpo.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one JSON dialect of the contract: camelCase, ISO-8601 instants, unknown fields ignored. */
public final class EventJson {

    /** Thread-safe once configured; shared so every service writes exactly the same bytes. */
    public static final ObjectMapper MAPPER = dialect()
            // After JavaTimeModule: wraps its Instant deserializer with a shortcut for the contract's own shape.
            .addModule(IsoInstants.module())
            .build();

    /** The dialect without {@link IsoInstants}' shortcut: what the shortcut is tested and benchmarked against. */
    static JsonMapper.Builder dialect() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // A missing int (schema) or long (modelVersion) is a malformed event, not a silent 0.
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    private EventJson() {
    }
}
