package io.livedpo.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Reads the instants the contract writes ({@code 2026-12-02T10:12:29.020926617Z}: UTC, upper-case {@code T} and
 * {@code Z}, 0–9 fraction digits) without {@code DateTimeFormatter}, whose parse and resolve were half of the
 * feedback topology's JSON decoding. Anything else — offsets, lower case, leap seconds, {@code 24:00}, epoch numbers,
 * malformed text — goes to the deserializer {@code JavaTimeModule} registered, unchanged, so what is accepted and
 * every error message stay exactly as before; only the common shape skips the formatter.
 */
final class IsoInstants {

    private static final int[] SCALE = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    /** Wraps the {@link Instant} deserializer of the modules registered before this one. */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("livedpo-iso-instants");
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                                                          JsonDeserializer<?> deserializer) {
                return description.getBeanClass() == Instant.class ? new Deserializer(deserializer) : deserializer;
            }
        });
        return module;
    }

    private IsoInstants() {
    }

    /** The instant {@code text} names when it has exactly the contract's UTC shape; null for anything else. */
    static Instant parseUtc(String text) {
        int length = text.length();
        // yyyy-MM-ddTHH:mm:ssZ is 20 characters, with a 9-digit fraction 30.
        if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        // Hour 24 and second 60 are legal ISO-8601 that the formatter resolves specially: left to it.
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return null;
        }
        int nano = 0;
        if (length > 20) {
            int fractionDigits = length - 21;
            if (text.charAt(19) != '.' || fractionDigits < 1) {
                return null;
            }
            int fraction = digits(text, 20, fractionDigits);
            if (fraction < 0) {
                return null;
            }
            nano = fraction * SCALE[fractionDigits - 1];
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nano).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // e.g. 31 April: the formatter reports it in its own words
        }
    }

    /** The non-negative number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    static final class Deserializer extends DelegatingDeserializer {

        private static final long serialVersionUID = 1L;

        Deserializer(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
            // A property with its own @JsonFormat gets a differently configured delegate: no shortcut for it.
            return newDelegatee == _delegatee ? this : newDelegatee;
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.hasToken(JsonToken.VALUE_STRING)) {
                Instant fast = parseUtc(parser.getText());
                if (fast != null) {
                    return fast;
                }
            }
            return _delegatee.deserialize(parser, context);
        }
    }
}
