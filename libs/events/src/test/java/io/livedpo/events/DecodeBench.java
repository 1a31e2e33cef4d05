package io.livedpo.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Nanoseconds per decoded input record, the way the feedback topology decodes its two public topics:
 * {@code -Dlivedpo.bench=true}, optional {@code -Dbench.records=20000 -Dbench.rounds=6}. "before" is the earlier
 * path ({@code ObjectMapper.readValue(bytes, type)} with JavaTimeModule's formatter-based instants), "after" is
 * {@link JsonDeserializer} as it is now (a prebuilt reader and {@link IsoInstants}); the two alternate in one JVM,
 * round by round, so the machine's load falls on both.
 */
@EnabledIfSystemProperty(named = "livedpo.bench", matches = "true")
class DecodeBench {

    private static final ObjectMapper BEFORE = EventJson.dialect().build();

    @Test
    void nanosPerRecord() throws Exception {
        int records = Integer.getInteger("bench.records", 20_000);
        int rounds = Integer.getInteger("bench.rounds", 6);
        JsonSerializer<Object> serializer = new JsonSerializer<>();
        byte[][] votes = new byte[records][];
        byte[][] responses = new byte[records][];
        for (int i = 0; i < records; i++) {
            List<PromptMessage> prompt = List.of(new PromptMessage("user", "bench prompt " + i));
            String id = UUID.randomUUID().toString();
            responses[i] = serializer.serialize("t", new ResponseEvent(ResponseEvent.SCHEMA, id, "c" + i, "bench", 1,
                    prompt, "answer " + id, null, PromptHash.of("bench", prompt), Instant.now()));
            votes[i] = serializer.serialize("t", FeedbackEvent.thumbs(UUID.randomUUID().toString(), id, Rating.UP,
                    "u" + i, null, Instant.now()));
        }
        JsonDeserializer<FeedbackEvent> voteReader = new JsonDeserializer<>(FeedbackEvent.class);
        JsonDeserializer<ResponseEvent> responseReader = new JsonDeserializer<>(ResponseEvent.class);
        StringBuilder report = new StringBuilder();
        for (int round = 1; round <= rounds; round++) {
            long before = System.nanoTime();
            for (int i = 0; i < records; i++) {
                check(BEFORE.readValue(votes[i], FeedbackEvent.class), BEFORE.readValue(responses[i],
                        ResponseEvent.class));
            }
            long between = System.nanoTime();
            for (int i = 0; i < records; i++) {
                check(voteReader.deserialize("t", votes[i]), responseReader.deserialize("t", responses[i]));
            }
            long after = System.nanoTime();
            String line = String.format("BENCH decode round %d/%d: before %.0f ns, after %.0f ns per record"
                            + " (vote + response / 2), loadavg %s", round, rounds,
                    (between - before) / (2.0 * records), (after - between) / (2.0 * records),
                    Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.println(line);
            report.append(line).append('\n');
        }
        Files.writeString(Path.of("target", "decode-bench.txt"), report);
    }

    /** Uses what was read, so the JIT cannot drop the decoding. */
    private static void check(FeedbackEvent vote, ResponseEvent response) {
        assertEquals(vote.responseId(), response.responseId());
    }
}
