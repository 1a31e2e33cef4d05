package io.livedpo.local;

import io.livedpo.events.TopicContract;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates the Kafka contract's topics that are missing; existing ones (a reused data dir) are left as they are. */
public final class TopicSetup {

    private TopicSetup() {
    }

    /** One broker, so one replica; the default partition count is the feedback service's too. */
    public static List<NewTopic> contract() {
        return TopicContract.newTopics(TopicContract.DEFAULT_PARTITIONS, (short) 1);
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
