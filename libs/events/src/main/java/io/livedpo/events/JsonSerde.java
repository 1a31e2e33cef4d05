package io.livedpo.events;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for one event type, in the contract's JSON dialect ({@link EventJson}). */
public class JsonSerde<T> implements Serde<T> {

    private final JsonSerializer<T> serializer = new JsonSerializer<>();
    private final JsonDeserializer<T> deserializer;

    public JsonSerde(Class<T> type) {
        this.deserializer = new JsonDeserializer<>(type);
    }

    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
