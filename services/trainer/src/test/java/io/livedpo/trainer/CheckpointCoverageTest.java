package io.livedpo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.trainer.service.CheckpointCoverage;
import io.livedpo.trainer.service.OffsetRange;
import io.livedpo.trainer.service.Partition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Coverage is typed in memory and written as the JSON attributes earlier checkpoints already hold. */
class CheckpointCoverageTest {

    @Test
    void survivesTheJsonAttributesOfACheckpoint() throws Exception {
        Partition p = new Partition("livedpo.pairs-crash-v1", 3);
        CheckpointCoverage coverage = new CheckpointCoverage(Map.of(p, new OffsetRange(4, 9)), Map.of(p, 9L),
                List.of("a", "b"), List.of("c"), Instant.parse("2026-01-02T03:04:05Z"));
        ObjectMapper json = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> stored = json.readValue(json.writeValueAsString(coverage.toAttributes()), Map.class);

        assertEquals(Map.of("livedpo.pairs-crash-v1-3", 9), stored.get("coveredThrough"), "Kafka's topic-partition form");
        assertEquals(coverage, CheckpointCoverage.fromAttributes(stored));
    }

    @Test
    void partitionsParseOnlyTheirOwnForm() {
        assertEquals(new Partition("a-b", 12), Partition.parse("a-b-12"));
        assertThrows(IllegalArgumentException.class, () -> Partition.parse("nopartition"));
        assertThrows(IllegalArgumentException.class, () -> Partition.parse("topic-x"));
    }
}
