package io.livedpo.feedback.streams;

import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.MalformedEventException;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.ResponseEvent;
import io.livedpo.feedback.canary.CanaryTally;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of the topology's own repartition topics and state stores (never of the public {@code livedpo.*.v1}
 * topics, whose contract is JSON): a leading format byte, then the value in a compact binary layout
 * ({@link InternalCodecs}). JSON was the format before; it cost a Jackson encode and decode of every record at each
 * of the four hops and every store read and write. A JSON value (it starts with {@code '{'}) is still read, so an
 * app upgraded with JSON records in its repartition topics, changelogs or local stores carries on; anything else
 * with an unknown format byte is refused with an error naming it.
 */
public final class InternalSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /** Binary layout version 1 of {@link InternalCodecs}. A changed layout gets a new byte, the old stays readable. */
    static final byte BINARY_V1 = 0x01;
    /** The first byte of every JSON object the earlier format wrote. */
    static final byte JSON_OBJECT = '{';

    private static final Map<Class<?>, InternalCodecs.Codec<?>> CODECS = Map.ofEntries(
            Map.entry(Lookup.class, InternalCodecs.LOOKUP),
            Map.entry(HeldLookup.class, InternalCodecs.HELD_LOOKUP),
            Map.entry(HeldLookups.class, InternalCodecs.HELD_LOOKUPS),
            Map.entry(Resolved.class, InternalCodecs.RESOLVED),
            Map.entry(HeldHalf.class, InternalCodecs.HELD_HALF),
            Map.entry(PromptVotes.class, InternalCodecs.PROMPT_VOTES),
            Map.entry(UserWindow.class, InternalCodecs.USER_WINDOW),
            Map.entry(CanaryHalf.class, InternalCodecs.CANARY_HALF),
            Map.entry(CanaryTally.class, InternalCodecs.CANARY_TALLY),
            Map.entry(ResponseEvent.class, InternalCodecs.RESPONSE),
            Map.entry(PreferencePair.class, InternalCodecs.PAIR));

    private final Class<T> type;
    private final InternalCodecs.Codec<T> codec;
    private final JsonDeserializer<T> json;

    private InternalSerde(Class<T> type, InternalCodecs.Codec<T> codec) {
        this.type = type;
        this.codec = codec;
        this.json = new JsonDeserializer<>(type);
    }

    @SuppressWarnings("unchecked")
    public static <T> InternalSerde<T> of(Class<T> type) {
        InternalCodecs.Codec<T> codec = (InternalCodecs.Codec<T>) CODECS.get(type);
        if (codec == null) {
            throw new IllegalArgumentException("no internal binary layout for " + type.getName());
        }
        return new InternalSerde<>(type, codec);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        BinaryOut out = new BinaryOut(128);
        out.u8(BINARY_V1);
        codec.write(out, data);
        return out.toBytes();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0) {
            throw new SerializationException("An empty value is not a " + type.getSimpleName() + where(topic));
        }
        byte format = data[0];
        if (format == BINARY_V1) {
            try {
                BinaryIn in = new BinaryIn(data, 1);
                T value = codec.read(in);
                in.end();
                return value;
            } catch (RuntimeException e) {
                throw new SerializationException("Not a binary v1 " + type.getSimpleName() + where(topic) + ": "
                        + e.getMessage(), e);
            }
        }
        if (format == JSON_OBJECT) {
            try {
                return json.deserialize(topic, data);
            } catch (MalformedEventException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        }
        throw new SerializationException(String.format("Unknown format byte 0x%02x in a %s%s (known: 0x%02x binary"
                + " v1, '{' JSON)", format & 0xFF, type.getSimpleName(), where(topic), BINARY_V1));
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the layout is fixed by the format byte.
    }

    @Override
    public void close() {
        // Holds no resources.
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    private static String where(String topic) {
        return topic == null ? "" : " on " + topic;
    }
}
