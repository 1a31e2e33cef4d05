package io.livedpo.testing.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker inside this JVM: one KRaft node acting as controller and broker, data in a temp
 * directory that close() removes. Starts in a few seconds and needs neither Docker nor a network.
 */
public final class EmbeddedKafka implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaClusterTestKit cluster;
    private final Path dataDir;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path dataDir) {
        this.cluster = cluster;
        this.dataDir = dataDir;
        this.bootstrapServers = cluster.bootstrapServers();
    }

    public static EmbeddedKafka start() {
        long started = System.nanoTime();
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("livedpo-kafka-");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a data directory for the embedded Kafka broker", e);
        }
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(1)
                    .setBaseDirectory(dataDir)
                    // The test kit defaults to the newest, still unstable metadata version; services run on released ones.
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            cluster = new KafkaClusterTestKit.Builder(nodes)
                    // A single broker cannot hold the default three replicas of the internal topics,
                    // so consumer groups and transactions would never become available.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    // Tests start one consumer at a time; waiting for more members only slows them down.
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, dataDir);
            LOG.info("Embedded Kafka (KRaft, combined controller+broker) ready at {} in {} ms, data in {}",
                    kafka.bootstrapServers, (System.nanoTime() - started) / 1_000_000, dataDir);
            return kafka;
        } catch (Exception e) {
            if (cluster != null) {
                Utils.closeQuietly(cluster, "embedded Kafka cluster");
            }
            deleteQuietly(dataDir);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Embedded Kafka broker did not start", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    Path dataDir() {
        return dataDir;
    }

    @Override
    public String description() {
        return "embedded KRaft broker at " + bootstrapServers;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Embedded Kafka broker at " + bootstrapServers + " did not stop cleanly", e);
        } finally {
            // The test kit deletes its base directory on a clean close only.
            deleteQuietly(dataDir);
        }
        LOG.info("Embedded Kafka at {} stopped, {} removed", bootstrapServers, dataDir);
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("Could not remove {}", dir, e);
        }
    }
}
