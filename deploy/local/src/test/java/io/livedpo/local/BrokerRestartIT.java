package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.Topics;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/**
 * The broker JVM started a second time on the same data dir (a second {@code livedpo up}, a broker restart in
 * {@code livedpo chaos}) comes up with its cluster and topics. It used to fail: the storage was formatted again with a
 * new random cluster id, which Kafka refuses for a formatted dir even with {@code --ignore-formatted}.
 */
class BrokerRestartIT {

    @Test
    void aRestartedBrokerKeepsItsTopics() throws Exception {
        Path dir = TestDirs.fresh("it-broker-restart");
        Ports ports = Ports.ephemeral();
        Path kafkaLib = LocalStackIT.HOME.resolve("deploy/local/target/kafka-lib");
        try (BrokerProcess first = BrokerProcess.start(kafkaLib, dir, ports.kafka(), ports.controller())) {
            TopicSetup.create(first.bootstrapServers());
        }
        try (BrokerProcess second = BrokerProcess.start(kafkaLib, dir, ports.kafka(), ports.controller());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     second.bootstrapServers()))) {
            Set<String> topics = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            assertTrue(topics.containsAll(Set.of(Topics.RESPONSES, Topics.FEEDBACK, Topics.PAIRS, Topics.CHECKPOINTS)),
                    "topics after the restart: " + topics);
        }
    }
}
