package io.livedpo.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.TopicSpec.Partitioning;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicContractTest {

    @Test
    void declaresEveryTopicNameOnceAndEveryDeadLetterTopicItNames() throws Exception {
        Set<String> declared = new HashSet<>();
        TopicContract.all().forEach(t -> assertTrue(declared.add(t.name()), t.name() + " declared twice"));
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String name = (String) f.get(null);
                assertTrue(declared.contains(name), name + " is a topic constant but not in the contract");
                // Announcements and canary decisions are followed, not consumed: readers skip a malformed one.
                assertTrue(declared.contains(Topics.deadLetter(name))
                                || Set.of(Topics.CHECKPOINTS, Topics.CANARY_DECISIONS).contains(name),
                        name + " has no dead-letter topic");
            }
        }
        TopicContract.all().forEach(t -> t.deadLetters().ifPresent(dlq ->
                assertTrue(declared.contains(dlq), t.name() + " names the undeclared " + dlq)));
    }

    @Test
    void joinedTopicsAreCoPartitionedAndCheckpointsAreCompacted() {
        assertEquals(Partitioning.SCALED, TopicContract.get(Topics.RESPONSES).partitions());
        assertEquals(Partitioning.SCALED, TopicContract.get(Topics.FEEDBACK).partitions());
        assertEquals(Partitioning.SCALED, TopicContract.get(Topics.PAIRS).partitions());
        TopicSpec checkpoints = TopicContract.get(Topics.CHECKPOINTS);
        assertTrue(checkpoints.compacted());
        assertEquals("compact", checkpoints.configs().get("cleanup.policy"));
        assertFalse(checkpoints.configs().containsKey("retention.ms"), "compacted: the latest per key stays");
        TopicSpec decisions = TopicContract.get(Topics.CANARY_DECISIONS);
        assertTrue(decisions.compacted(), "one decision per candidate, every one kept");
        assertEquals(Partitioning.SINGLE, decisions.partitions());
    }

    @Test
    void newTopicsCarryPartitionsReplicationAndConfigs() {
        List<NewTopic> topics = TopicContract.newTopics(6, (short) 3);
        assertEquals(TopicContract.all().size(), topics.size());
        NewTopic pairs = topics.stream().filter(t -> t.name().equals(Topics.PAIRS)).findFirst().orElseThrow();
        assertEquals(6, pairs.numPartitions());
        assertEquals(3, pairs.replicationFactor());
        assertEquals(Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(Duration.ofDays(30).toMillis())),
                pairs.configs());
        NewTopic dlq = topics.stream().filter(t -> t.name().equals(Topics.deadLetter(Topics.PAIRS)))
                .findFirst().orElseThrow();
        assertEquals(1, dlq.numPartitions());
    }

    @Test
    void refusesInconsistentSpecsAndUnknownNames() {
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("t", Partitioning.SINGLE, true,
                Optional.of(Duration.ofDays(1)), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("t", Partitioning.SINGLE, false,
                Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> TopicContract.get("livedpo.nope.v1"));
    }
}
