package io.livedpo.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

    /** The contract's mapper without the shortcut: what every instant must still read as. */
    private static final ObjectMapper PLAIN = EventJson.dialect().build();

    /** The value, or the error class and message, that a mapper gives for one JSON text. */
    private static String outcome(ObjectMapper mapper, String json) {
        try {
            return "value " + mapper.readValue(json, Instant.class);
        } catch (Exception e) {
            return "error " + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static void assertSameAsFormatter(String json) {
        assertEquals(outcome(PLAIN, json), outcome(EventJson.MAPPER, json), json);
    }

    @Test
    void theContractsShapeSkipsTheFormatterAndReadsTheSameInstant() {
        SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_799L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            String written = DateTimeFormatter.ISO_INSTANT.format(instant);
            assertEquals(instant, IsoInstants.parseUtc(written), written);
            assertSameAsFormatter("\"" + written + "\"");
            // Every fraction width 1-9 the formatter accepts, not only the 0/3/6/9 it writes.
            String seconds = written.substring(0, 19);
            String nanos = String.format("%09d", instant.getNano());
            int width = 1 + random.nextInt(9);
            String truncated = seconds + "." + nanos.substring(0, width) + "Z";
            assertEquals(Instant.parse(truncated), IsoInstants.parseUtc(truncated), truncated);
            assertSameAsFormatter("\"" + truncated + "\"");
        }
    }

    @Test
    void everyOtherFormIsLeftToTheFormatterWithItsOwnResultOrError() {
        List<String> others = new ArrayList<>(List.of(
                "2025-01-02T03:04:05z", "2025-01-02t03:04:05Z", "2025-01-02T03:04:05+01:00", "2025-01-02T03:04:05+0000",
                "2025-01-02T03:04:05.Z", "2025-01-02T03:04:05.1234567891Z", "2025-01-02T24:00:00Z",
                "2016-12-31T23:59:60Z", "2025-02-30T00:00:00Z", "2025-04-31T12:00:00Z", "2025-13-01T00:00:00Z",
                "2025-00-01T00:00:00Z", "2025-01-00T00:00:00Z", "2025-01-02T03:60:00Z", "2025-01-02T03:04:61Z",
                "+12025-01-02T03:04:05Z", "-0001-01-02T03:04:05Z", "0000-01-01T00:00:00Z", "2025-01-02 03:04:05Z",
                "2025-01-02T03:04Z", " 2025-01-02T03:04:05Z", "2025-01-02T03:04:05Z ", "2025-1-02T03:04:05Z",
                "２０２５-01-02T03:04:05Z", "2025-01-02T03:04:05.12a4Z", "1700000000", "1700000000.5", "", "now",
                "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z"));
        for (String text : others) {
            assertSameAsFormatter("\"" + text + "\"");
        }
        for (String json : List.of("1700000000", "1700000000.123456789", "null", "true", "[]", "{}")) {
            assertSameAsFormatter(json);
        }
        assertNull(IsoInstants.parseUtc("2016-12-31T23:59:60Z"), "leap seconds are the formatter's");
        assertNull(IsoInstants.parseUtc("2025-02-30T00:00:00Z"), "invalid dates are reported by the formatter");
        assertNotNull(IsoInstants.parseUtc("0000-01-01T00:00:00Z"));
    }

    @Test
    void theContractMapperUsesTheShortcutForRootValuesAndProperties() throws Exception {
        DeserializationContext context = ((DefaultDeserializationContext) EventJson.MAPPER.getDeserializationContext())
                .createInstance(EventJson.MAPPER.getDeserializationConfig(), null, null);
        assertInstanceOf(IsoInstants.Deserializer.class,
                context.findRootValueDeserializer(context.constructType(Instant.class)));
        assertInstanceOf(IsoInstants.Deserializer.class,
                context.findContextualValueDeserializer(context.constructType(Instant.class), null));
        FeedbackEvent read = new JsonDeserializer<>(FeedbackEvent.class).deserialize("t", """
                {"schema":1,"feedbackId":"f1","responseId":"r1","rating":"UP","createdAt":"2025-01-02T03:04:05.123456Z"}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Instant.parse("2025-01-02T03:04:05.123456Z"), read.createdAt());
    }
}
