package io.livedpo.local;

import io.livedpo.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** Creates the Kafka contract's topics that are missing; existing ones (a reused data dir) are left as they are. */
public final class TopicSetup {

    /**
     * Responses and feedback are joined by Kafka Streams, which needs equal partition counts (co-partitioning). Three
     * is the feedback service's own default, so whichever of us creates them first creates them alike.
     */
    static final int PARTITIONS = 3;

    private TopicSetup() {
    }

    public static List<NewTopic> contract() {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of(Topics.RESPONSES, Topics.FEEDBACK, Topics.PAIRS)) {
            topics.add(new NewTopic(name, PARTITIONS, (short) 1));
            topics.add(new NewTopic(Topics.deadLetter(name), 1, (short) 1));
        }
        // Keyed by policy and compacted: the newest announcement per policy is what a starting replica reads.
        topics.add(new NewTopic(Topics.CHECKPOINTS, 1, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        return topics;
    }

    public static void create(String bootstrapServers) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = contract().stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the topics on " + bootstrapServers + ": " + e.getMessage(),
                    e);
        }
    }
}
