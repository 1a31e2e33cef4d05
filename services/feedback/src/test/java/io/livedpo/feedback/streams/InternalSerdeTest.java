package io.livedpo.feedback.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.CanaryArm;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptHash;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Sampling;
import io.livedpo.feedback.canary.CanaryTally;
import io.livedpo.testing.hostile.Hostile;
import io.livedpo.testing.hostile.Tries;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class InternalSerdeTest {

    private static final String TOPIC = "livedpo-feedback-by-prompt-repartition";
    private static final Instant AT = Instant.parse("2026-12-02T03:04:05.123456789Z");
    private static final List<PromptMessage> PROMPT = List.of(new PromptMessage("system", "Be brief."),
            new PromptMessage("user", "Wie heißt du? 😀"));

    static ResponseEvent response(String id, CanaryArm canary, Sampling sampling) {
        return new ResponseEvent(ResponseEvent.SCHEMA, id, "conv-1", "default", 7, PROMPT, "Ich bin «klein».\n",
                sampling, PromptHash.of("default", PROMPT), AT, canary);
    }

    /** One value of every type the topology keeps in its stores and repartition topics, in each of its shapes. */
    static List<Object> everyRecord() {
        FeedbackEvent thumbs = FeedbackEvent.thumbs("f-1", "r-1", Rating.DOWN, "u-1", "too long", AT);
        FeedbackEvent anonymous = FeedbackEvent.thumbs("f-2", "r-2", Rating.UP, null, null, AT.plusNanos(1));
        FeedbackEvent choice = FeedbackEvent.pairwise("f-3", "r-1", "r-2", "u-2", Instant.ofEpochSecond(-5, 7));
        // The schema is whatever the (public, hostile) input said, negative included.
        FeedbackEvent oddSchema = new FeedbackEvent(Integer.MIN_VALUE, "f-4", "r-1", Rating.UP, null, null, "", "",
                Instant.MAX);
        ResponseEvent plain = response("r-1", null, null);
        ResponseEvent canary = response("r-2", new CanaryArm(8, 7), new Sampling(0.7, null, 64, -3L));
        ResponseEvent allSampling = response("r-3", null, new Sampling(1e-9, 0.95, Integer.MAX_VALUE, Long.MIN_VALUE));
        ResponseEvent noSampling = response("r-4", null, new Sampling(null, null, null, null));
        Resolved resolved = new Resolved(thumbs, Side.RATED, canary);
        StandingVote vote = new StandingVote(plain, "user:u-1", "user:u-1", Rating.UP, AT.toEpochMilli());
        return List.of(
                new Lookup(thumbs, Side.RATED), new Lookup(anonymous, Side.RATED), new Lookup(choice, Side.CHOSEN),
                new Lookup(choice, Side.REJECTED), new Lookup(oddSchema, Side.RATED),
                new HeldLookup(new Lookup(choice, Side.REJECTED), 1_764_000_000_000L),
                new HeldLookups(List.of()),
                new HeldLookups(List.of(new HeldLookup(new Lookup(thumbs, Side.RATED), -1L),
                        new HeldLookup(new Lookup(choice, Side.CHOSEN), Long.MAX_VALUE))),
                resolved, new Resolved(choice, Side.CHOSEN, plain),
                new HeldHalf(new Resolved(choice, Side.REJECTED, noSampling), 0L),
                PromptVotes.EMPTY,
                new PromptVotes(List.of(vote, new StandingVote(allSampling, "feedback:f-2", "anonymous", Rating.DOWN,
                        -1L)), List.of(1L, Long.MAX_VALUE, Long.MIN_VALUE)),
                new UserWindow(1_764_000_000_000L, 100),
                new CanaryHalf(8, true, 42L), new CanaryHalf(Long.MAX_VALUE, false, -42L),
                CanaryTally.start("default", 8, 7, 5L).vote(8, true).vote(7, false).choice(true),
                CanaryTally.start("default", 8, 7, 5L).markDecided(),
                plain, canary, allSampling, noSampling,
                new PreferencePair(PreferencePair.SCHEMA, PreferencePair.idOf("r-1", "r-2"), "default", PROMPT,
                        "chosen ✓", "", "r-1", "r-2", 7, 8, PairSource.THUMBS, AT, AT.minusSeconds(3)),
                new PreferencePair(PreferencePair.SCHEMA, "p", "default", List.of(), "a", "b", "r-1", "r-2", 0, -1,
                        PairSource.PAIRWISE, Instant.EPOCH, Instant.EPOCH));
    }

    @SuppressWarnings("unchecked")
    private static <T> InternalSerde<T> serdeOf(T value) {
        return InternalSerde.of((Class<T>) value.getClass());
    }

    @Test
    void everyRecordTypeRoundTripsExactly() {
        for (Object value : everyRecord()) {
            InternalSerde<Object> serde = serdeOf(value);
            byte[] bytes = serde.serialize(TOPIC, value);
            assertEquals(InternalSerde.BINARY_V1, bytes[0], "format byte of " + value);
            assertEquals(value, serde.deserialize(TOPIC, bytes));
        }
    }

    @Test
    void theBinaryFormIsSmallerThanTheJson() {
        for (Object value : everyRecord()) {
            byte[] json = new JsonSerializer<>().serialize(TOPIC, value);
            byte[] binary = serdeOf(value).serialize(TOPIC, value);
            assertTrue(binary.length < json.length, value + ": " + binary.length + " vs " + json.length + " bytes");
        }
    }

    /** A running app upgraded with JSON records in its repartition topics, changelogs and stores reads them on. */
    @Test
    void theJsonOfTheEarlierFormatIsStillRead() {
        for (Object value : everyRecord()) {
            byte[] json = new JsonSerializer<>().serialize(TOPIC, value);
            assertEquals('{', json[0]);
            assertEquals(value, serdeOf(value).deserialize(TOPIC, json));
        }
    }

    @Test
    void anUnknownFormatByteIsRefusedByName() {
        byte[] bytes = serdeOf(new UserWindow(1, 2)).serialize(TOPIC, new UserWindow(1, 2));
        bytes[0] = 0x02;
        SerializationException e = assertThrows(SerializationException.class,
                () -> InternalSerde.of(UserWindow.class).deserialize(TOPIC, bytes));
        assertTrue(e.getMessage().contains("Unknown format byte 0x02 in a UserWindow on " + TOPIC), e.getMessage());
        assertThrows(SerializationException.class, () -> InternalSerde.of(UserWindow.class).deserialize(TOPIC,
                new byte[0]));
    }

    @Test
    void nullIsNullBothWays() {
        InternalSerde<Lookup> serde = InternalSerde.of(Lookup.class);
        assertNull(serde.serialize(TOPIC, null));
        assertNull(serde.deserialize(TOPIC, null));
    }

    @Test
    void aTypeWithoutALayoutIsRefusedWhenTheTopologyIsBuilt() {
        assertThrows(IllegalArgumentException.class, () -> InternalSerde.of(String.class));
    }

    @Test
    void aTruncatedOrPaddedValueFailsInsteadOfReadingGarbage() {
        for (Object value : everyRecord()) {
            InternalSerde<Object> serde = serdeOf(value);
            byte[] bytes = serde.serialize(TOPIC, value);
            for (int length = 1; length < bytes.length; length++) {
                byte[] cut = Arrays.copyOf(bytes, length);
                assertThrows(SerializationException.class, () -> serde.deserialize(TOPIC, cut),
                        value + " cut to " + length + " bytes");
            }
            byte[] padded = Arrays.copyOf(bytes, bytes.length + 1);
            assertThrows(SerializationException.class, () -> serde.deserialize(TOPIC, padded));
        }
    }

    @Test
    void hostileTextRoundTrips() {
        Tries.check("hostile strings in every text field round-trip", 300, random -> {
            FeedbackEvent feedback = FeedbackEvent.thumbs(text(random) + "f", "r", Rating.UP, text(random),
                    text(random), Instant.ofEpochSecond(random.nextLong(-1L << 40, 1L << 40), random.nextInt(1_000_000_000)));
            List<PromptMessage> prompt = List.of(new PromptMessage(text(random), text(random)));
            ResponseEvent response = new ResponseEvent(1, "r", text(random), "p" + text(random), random.nextLong(),
                    prompt, text(random), null, "h", Instant.EPOCH, null);
            Resolved value = new Resolved(feedback, Side.RATED, response);
            InternalSerde<Resolved> serde = InternalSerde.of(Resolved.class);
            assertEquals(value, serde.deserialize(TOPIC, serde.serialize(TOPIC, value)));
        });
    }

    @Test
    void randomBytesAfterTheFormatByteFailCleanly() {
        Tries.check("random bytes are a SerializationException or a value, never another error", 500, random -> {
            byte[] bytes = new byte[random.nextInt(1, 80)];
            random.nextBytes(bytes);
            bytes[0] = InternalSerde.BINARY_V1;
            try {
                InternalSerde.of(Resolved.class).deserialize(TOPIC, bytes);
            } catch (SerializationException expected) {
                // the one failure a Kafka deserializer may throw
            }
        });
    }

    @Test
    void theLayoutIsPinned() {
        // Changing a layout needs a new format byte: this catches an edit that forgot it.
        byte[] bytes = InternalSerde.of(UserWindow.class).serialize(TOPIC, new UserWindow(3, 2));
        assertArrayEquals(new byte[] {InternalSerde.BINARY_V1, 6, 4}, bytes);
        byte[] half = InternalSerde.of(CanaryHalf.class).serialize(TOPIC, new CanaryHalf(1, true, -1));
        assertArrayEquals(new byte[] {InternalSerde.BINARY_V1, 2, 1, 1}, half);
    }

    /** Well-formed text only: a lone surrogate has no UTF-8 form in either format. */
    private static String text(SplittableRandom random) {
        String hostile = Hostile.text(random);
        return new String(hostile.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
