package io.livedpo.testing.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker inside this JVM: one KRaft node acting as controller and broker, data in a temp
 * directory that close() removes. Starts in a few seconds and needs neither Docker nor a network. {@link #startSasl()}
 * gives one whose client listener requires SASL/PLAIN, as a secured production cluster would.
 */
public final class EmbeddedKafka implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaClusterTestKit cluster;
    private final Path dataDir;
    private final String bootstrapServers;
    private final boolean sasl;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path dataDir, boolean sasl) {
        this.cluster = cluster;
        this.dataDir = dataDir;
        this.bootstrapServers = cluster.bootstrapServers();
        this.sasl = sasl;
    }

    public static EmbeddedKafka start() {
        return start(false);
    }

    /**
     * A broker whose client listener is SASL_PLAINTEXT with the PLAIN mechanism, accounts
     * {@value JaasUtils#KAFKA_PLAIN_ADMIN} and {@value JaasUtils#KAFKA_PLAIN_USER1}; {@link #clientProperties()} logs
     * in as the first. Authentication only: the kit's ACL authorizer is left off (its controller listener is
     * PLAINTEXT, so with ACLs on the broker could not even register). The kit points the JVM-wide
     * {@code java.security.auth.login.config} at its server JAAS file, which has no {@code KafkaClient} entry: a
     * client must bring its own {@code sasl.jaas.config}.
     */
    public static EmbeddedKafka startSasl() {
        return start(true);
    }

    /** A JAAS line for the PLAIN mechanism, as {@code sasl.jaas.config} takes it. */
    public static String plainJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static EmbeddedKafka start(boolean sasl) {
        long started = System.nanoTime();
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("livedpo-kafka-");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a data directory for the embedded Kafka broker", e);
        }
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes.Builder nodesBuilder = new TestKitNodes.Builder();
            if (sasl) {
                nodesBuilder.setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
            }
            TestKitNodes nodes = nodesBuilder
                    .setCombined(true)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(1)
                    .setBaseDirectory(dataDir)
                    // The test kit defaults to the newest, still unstable metadata version; services run on released ones.
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit.Builder clusterBuilder = new KafkaClusterTestKit.Builder(nodes)
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
                    .setDeleteOnClose(true);
            if (sasl) {
                clusterBuilder.setConfigProp("authorizer.class.name", "");
            }
            cluster = clusterBuilder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, dataDir, sasl);
            LOG.info("Embedded Kafka (KRaft, combined controller+broker{}) ready at {} in {} ms, data in {}",
                    sasl ? ", SASL/PLAIN" : "", kafka.bootstrapServers, (System.nanoTime() - started) / 1_000_000, dataDir);
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

    @Override
    public Map<String, String> clientProperties() {
        if (!sasl) {
            return KafkaBroker.super.clientProperties();
        }
        Map<String, String> props = new LinkedHashMap<>(KafkaBroker.super.clientProperties());
        props.put("security.protocol", SecurityProtocol.SASL_PLAINTEXT.name);
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", plainJaasConfig(JaasUtils.KAFKA_PLAIN_ADMIN, JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD));
        return Map.copyOf(props);
    }

    Path dataDir() {
        return dataDir;
    }

    @Override
    public String description() {
        return "embedded KRaft broker" + (sasl ? " (SASL/PLAIN)" : "") + " at " + bootstrapServers;
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
