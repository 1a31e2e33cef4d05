package io.livedpo.feedback.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.livedpo.events.EventJson;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.MalformedEventException;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.testing.hostile.Hostile;
import io.livedpo.testing.hostile.Tries;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Hostile records on both input topics of the pairing topology (the real one, on a TopologyTestDriver): broken JSON,
 * wrong types, hostile strings, wrong or hostile keys, empty and null values. Property: the topology never throws;
 * a record that is not an event goes to its dead-letter topic byte for byte; whatever reaches the pairs topic is a
 * valid pair (the output deserializer checks it). 200 seeded tries per topic, with good events mixed in so pairing
 * runs too.
 */
class TopologyHostileInputTest {

    private static final int TRIES = 200;

    @Test
    void responsesAreDecodedOrDeadLettered() {
        try (TopologyHarness h = new TopologyHarness(TopologyHarness.config())) {
            Map<String, Object> valid = map(TopologyHarness.response("r-1", "Hi", "Hello!", 0));
            Tries.check("hostile responses", TRIES, random -> hostile(random, h.responses, h.responsesDlq, valid,
                    ResponseEvent.class, "r-1"));
            h.pairs(); // every emitted pair must decode
        }
    }

    @Test
    void feedbackIsDecodedOrDeadLettered() {
        try (TopologyHarness h = new TopologyHarness(TopologyHarness.config())) {
            h.send(TopologyHarness.response("r-1", "Hi", "Hello!", 0));
            h.send(TopologyHarness.response("r-2", "Hi", "Go away.", 0));
            FeedbackEvent thumbs = FeedbackEvent.thumbs("f-1", "r-1", Rating.UP, "alice", null, TopologyHarness.T0);
            Map<String, Object> valid = map(thumbs);
            Tries.check("hostile feedback", TRIES, random -> {
                if (random.nextInt(4) == 0) { // good votes keep the pairing code busy
                    h.thumbs(Hostile.pick(random, "r-1", "r-2"), Hostile.pick(random, Rating.UP, Rating.DOWN),
                            "user-" + random.nextInt(5), java.time.Duration.ofSeconds(random.nextInt(60)));
                }
                hostile(random, h.feedback, h.feedbackDlq, valid, FeedbackEvent.class, thumbs.key());
            });
            h.pairs();
        }
    }

    private static <T> void hostile(SplittableRandom random, TestInputTopic<String, byte[]> in,
                                    TestOutputTopic<String, byte[]> dlq, Map<String, Object> valid, Class<T> type,
                                    String goodKey) {
        byte[] value = switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> new byte[0];
            default -> Hostile.body(random, valid, TopologyHostileInputTest::json).getBytes(StandardCharsets.UTF_8);
        };
        String key = Hostile.pick(random, goodKey, goodKey, goodKey, null, Hostile.text(random));
        dlq.readRecordsToList(); // only this try's dead letters count below
        in.pipeInput(key, value);
        List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
        if (!decodes(type, value)) {
            assertEquals(1, dead.size(), "a record that is not a " + type.getSimpleName() + " is dead-lettered");
            assertArrayEquals(value, dead.get(0).value(), "byte for byte");
        } else {
            assertTrue(dead.size() <= 1, "at most this record is dead-lettered (a key mismatch)");
        }
    }

    private static boolean decodes(Class<?> type, byte[] value) {
        try {
            return new JsonDeserializer<>(type).deserialize("t", value) != null;
        } catch (MalformedEventException e) {
            return false;
        }
    }

    private static Map<String, Object> map(Object event) {
        return EventJson.MAPPER.convertValue(event, new TypeReference<Map<String, Object>>() { });
    }

    private static String json(Object value) {
        try {
            return EventJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
