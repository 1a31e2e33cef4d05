package io.livedpo.testing.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** A Kafka broker that tests can reach, whoever runs it (this JVM, a container or the environment). */
public interface KafkaBroker extends AutoCloseable {

    String bootstrapServers();

    /**
     * Everything a client needs to connect, as Kafka client properties: the bootstrap servers and, for a broker that
     * requires authentication, the security protocol and credentials.
     */
    default Map<String, String> clientProperties() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /** Where the broker comes from, for logs and failure messages. */
    String description();

    /** Creates a topic with replication factor 1, which every test broker supports. */
    default void createTopic(String name, int partitions, Map<String, String> configs) {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(props)) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name + " on " + description(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /** Narrowed to no checked exception so try-with-resources in tests stays short. */
    @Override
    void close();
}
