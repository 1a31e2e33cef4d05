package io.livedpo.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05.123Z");
    private static final List<PromptMessage> PROMPT = List.of(new PromptMessage("user", "Say hi"));

    private static <T> T roundTrip(T value, Class<T> type) {
        JsonSerde<T> serde = JsonSerde.of(type);
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    private static String json(Object value) {
        return new String(new JsonSerializer<>().serialize("t", value), StandardCharsets.UTF_8);
    }

    @Test
    void everyEventSurvivesARoundTrip() {
        ResponseEvent response = new ResponseEvent(1, "r1", "c1", "default", 7, PROMPT, "Hi!",
                new Sampling(0.7, 0.9, 64, 42L), PromptHash.of("default", PROMPT), NOW);
        FeedbackEvent thumbs = FeedbackEvent.thumbs("f1", "r1", Rating.UP, "u1", "nice", NOW);
        FeedbackEvent choice = FeedbackEvent.pairwise("f2", "r1", "r2", null, NOW);
        PreferencePair pair = new PreferencePair(1, PreferencePair.idOf("r1", "r2"), "default", PROMPT, "Hi!", "Go away",
                "r1", "r2", 7, 6, PairSource.THUMBS, NOW, NOW.minusSeconds(1));
        CheckpointAnnouncement checkpoint = new CheckpointAnnouncement(1, "default", 8, 7L, "demo-gpt2", "ab12", 1024,
                "file:///ckpt/8", 64, Map.of("loss", 0.5), NOW, NOW.minusSeconds(3));

        assertEquals(response, roundTrip(response, ResponseEvent.class));
        assertEquals(thumbs, roundTrip(thumbs, FeedbackEvent.class));
        assertEquals(choice, roundTrip(choice, FeedbackEvent.class));
        assertEquals(pair, roundTrip(pair, PreferencePair.class));
        assertEquals(checkpoint, roundTrip(checkpoint, CheckpointAnnouncement.class));
    }

    @Test
    void writesCamelCaseAndIsoInstantsWithoutHelperProperties() {
        String written = json(FeedbackEvent.thumbs("f1", "r1", Rating.DOWN, "u1", null, NOW));

        assertTrue(written.contains("\"responseId\":\"r1\""), written);
        assertTrue(written.contains("\"createdAt\":\"2025-01-02T03:04:05.123Z\""), written);
        assertTrue(written.contains("\"rating\":\"DOWN\""), written);
        assertTrue(!written.contains("\"key\"") && !written.contains("\"pairwise\""), written);
    }

    @Test
    void unknownAndNewerSchemaFieldsAreTolerated() {
        String newer = """
                {"schema":2,"feedbackId":"f1","responseId":"r1","rating":"UP","createdAt":"2025-01-02T03:04:05Z",
                 "confidence":0.8,"device":{"kind":"phone"}}""";

        FeedbackEvent event = new JsonDeserializer<>(FeedbackEvent.class)
                .deserialize("t", newer.getBytes(StandardCharsets.UTF_8));

        assertEquals(2, event.schema());
        assertEquals(Rating.UP, event.rating());
        assertEquals("r1", event.key());
    }

    @Test
    void malformedBytesAreRejectedWithAMessageNamingTypeTopicAndCause() {
        JsonDeserializer<FeedbackEvent> deserializer = new JsonDeserializer<>(FeedbackEvent.class);

        MalformedEventException notJson = assertThrows(MalformedEventException.class,
                () -> deserializer.deserialize("livedpo.feedback.v1", "{not json".getBytes(StandardCharsets.UTF_8)));
        MalformedEventException missingField = assertThrows(MalformedEventException.class,
                () -> deserializer.deserialize("livedpo.feedback.v1",
                        "{\"schema\":1,\"feedbackId\":\"f\",\"rating\":\"UP\",\"createdAt\":\"2025-01-02T03:04:05Z\"}"
                                .getBytes(StandardCharsets.UTF_8)));
        MalformedEventException badEnum = assertThrows(MalformedEventException.class,
                () -> deserializer.deserialize("t", ("{\"schema\":1,\"feedbackId\":\"f\",\"responseId\":\"r\","
                        + "\"rating\":\"MEH\",\"createdAt\":\"2025-01-02T03:04:05Z\"}").getBytes(StandardCharsets.UTF_8)));
        MalformedEventException jsonNull = assertThrows(MalformedEventException.class,
                () -> deserializer.deserialize("t", "null".getBytes(StandardCharsets.UTF_8)));

        assertTrue(notJson.getMessage().startsWith("Not a FeedbackEvent on livedpo.feedback.v1: "), notJson.getMessage());
        assertTrue(missingField.getMessage().contains("responseId is required"), missingField.getMessage());
        assertTrue(badEnum.getMessage().contains("MEH"), badEnum.getMessage());
        assertTrue(jsonNull.getMessage().contains("JSON null"), jsonNull.getMessage());
    }

    @Test
    void thumbsAndChoiceCannotBeMixed() {
        assertThrows(IllegalArgumentException.class,
                () -> new FeedbackEvent(1, "f", "r1", Rating.UP, "r1", "r2", null, null, NOW));
    }

    @Test
    void promptHashIsStableAndSensitiveToPolicyRoleAndContent() {
        String hash = PromptHash.of("default", PROMPT);

        assertEquals(64, hash.length());
        assertEquals(hash, PromptHash.of("default", List.of(new PromptMessage("user", "Say hi"))));
        assertNotEquals(hash, PromptHash.of("other", PROMPT));
        assertNotEquals(hash, PromptHash.of("default", List.of(new PromptMessage("system", "Say hi"))));
        assertNotEquals(hash, PromptHash.of("default", List.of(new PromptMessage("user", "Say hi!"))));
    }

    @Test
    void pairIdIgnoresWhichResponseWasChosen() {
        assertEquals(PreferencePair.idOf("a", "b"), PreferencePair.idOf("b", "a"));
        assertNotEquals(PreferencePair.idOf("a", "b"), PreferencePair.idOf("a", "c"));
    }

    @Test
    void deadLetterTopicsAreSuffixed() {
        assertEquals("livedpo.feedback.v1.dlq", Topics.deadLetter(Topics.FEEDBACK));
    }
}
