package io.livedpo.events;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * One topic of the Kafka contract: everything a creator (the services, the local launcher, compose's topic-init,
 * Strimzi's {@code KafkaTopic}s) needs to make it alike.
 *
 * @param name        the topic name
 * @param partitions  how its partition count follows from the deployment's
 * @param compacted   {@code cleanup.policy=compact} (latest record per key kept) instead of time-based deletion
 * @param retention   how long records are kept; empty for compacted topics, which keep the latest per key forever
 * @param deadLetters the topic its poison records go to, if it has one
 */
public record TopicSpec(String name, Partitioning partitions, boolean compacted, Optional<Duration> retention,
                        Optional<String> deadLetters) {

    /** How many partitions a topic gets, given the deployment's partition count for keyed data topics. */
    public enum Partitioning {
        /**
         * The deployment's count: responses and feedback must be equal (Kafka Streams joins them co-partitioned) and
         * the pairs count bounds how many trainers can work at once (one partition per active trainer).
         */
        SCALED,
        /** One: low-volume topics whose order across keys does not matter (dead letters, announcements). */
        SINGLE;

        public int count(int scaled) {
            return this == SCALED ? scaled : 1;
        }
    }

    public TopicSpec {
        Require.text(name, "name");
        Require.present(partitions, "partitions");
        if (compacted == retention.isPresent()) {
            throw new IllegalArgumentException(name + ": a compacted topic has no retention, a deleting one needs one");
        }
    }

    public int partitionCount(int scaled) {
        return partitions.count(scaled);
    }

    /** The topic-level configs that differ from broker defaults, as Kafka names them. */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG,
                compacted ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
        retention.ifPresent(r -> configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(r.toMillis())));
        return configs;
    }

    public NewTopic newTopic(int scaledPartitions, short replicationFactor) {
        return new NewTopic(name, partitionCount(scaledPartitions), replicationFactor).configs(configs());
    }
}
