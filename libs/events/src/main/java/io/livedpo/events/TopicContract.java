package io.livedpo.events;

import io.livedpo.events.TopicSpec.Partitioning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Every topic LiveDPO reads or writes, declared once. The services' topic creation, the local launcher, compose's
 * topic-init and the Kubernetes {@code KafkaTopic}s are all made from (and tested against) this list.
 */
public final class TopicContract {

    /** Partitions of the scaled topics when a deployment names no other count. */
    public static final int DEFAULT_PARTITIONS = 3;

    /** Feedback pairs a response with votes for up to 7 days (pairing.response-retention); one day of slack. */
    private static final Duration EVENTS = Duration.ofDays(8);
    /** Pairs are training data a stopped trainer resumes from: keep them long enough to survive a long outage. */
    private static final Duration PAIRS = Duration.ofDays(30);
    /** Poison records wait for an operator to read them. */
    private static final Duration DEAD_LETTERS = Duration.ofDays(30);

    private static final List<TopicSpec> ALL = build();

    private TopicContract() {
    }

    public static List<TopicSpec> all() {
        return ALL;
    }

    public static TopicSpec get(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " is not a topic of the contract"));
    }

    /** The whole contract as admin-client topics: scaled topics get {@code partitions}, the others one. */
    public static List<NewTopic> newTopics(int partitions, short replicationFactor) {
        return ALL.stream().map(t -> t.newTopic(partitions, replicationFactor)).toList();
    }

    private static List<TopicSpec> build() {
        List<TopicSpec> topics = new ArrayList<>();
        for (String data : List.of(Topics.RESPONSES, Topics.FEEDBACK)) {
            topics.add(withDeadLetters(data, EVENTS));
        }
        topics.add(withDeadLetters(Topics.PAIRS, PAIRS));
        for (String data : List.of(Topics.RESPONSES, Topics.FEEDBACK, Topics.PAIRS)) {
            topics.add(new TopicSpec(Topics.deadLetter(data), Partitioning.SINGLE, false,
                    Optional.of(DEAD_LETTERS), Optional.empty()));
        }
        // Keyed by policy and compacted: the newest announcement per policy is what a starting replica reads.
        topics.add(new TopicSpec(Topics.CHECKPOINTS, Partitioning.SINGLE, true, Optional.empty(), Optional.empty()));
        // One record per candidate, never superseded: compaction keeps them all, and they are few.
        topics.add(new TopicSpec(Topics.CANARY_DECISIONS, Partitioning.SINGLE, true, Optional.empty(),
                Optional.empty()));
        return List.copyOf(topics);
    }

    private static TopicSpec withDeadLetters(String name, Duration retention) {
        return new TopicSpec(name, Partitioning.SCALED, false, Optional.of(retention),
                Optional.of(Topics.deadLetter(name)));
    }
}
