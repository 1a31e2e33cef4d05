package io.livedpo.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * One KRaft node (broker and controller combined) in its own JVM, run from the Kafka jars that this module's build
 * copies into {@code target/kafka-lib}: real Kafka, no Docker, nothing downloaded at run time.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final ChildJvm jvm;
    private final String bootstrapServers;

    private BrokerProcess(ChildJvm jvm, String bootstrapServers) {
        this.jvm = jvm;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats {@code dir/kafka} on first use (a reused data dir keeps its topics and offsets), starts the node and
     * returns once it answers an Admin request.
     */
    public static BrokerProcess start(Path kafkaLib, Path dir, int port, int controllerPort)
            throws IOException, InterruptedException {
        return start(kafkaLib, dir, port, controllerPort, START_TIMEOUT);
    }

    /** @param timeout how long the node may take to answer (a restart on a busy machine recovers its logs first) */
    public static BrokerProcess start(Path kafkaLib, Path dir, int port, int controllerPort, Duration timeout)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(kafkaLib)) {
            throw new IllegalStateException("no Kafka jars at " + kafkaLib
                    + ": build them with ./mvnw -DskipTests package -pl deploy/local -am");
        }
        Path data = dir.resolve("kafka").toAbsolutePath();
        Files.createDirectories(data);
        Path config = data.resolve("server.properties");
        Files.writeString(config, serverProperties(data.resolve("log"), port, controllerPort), StandardCharsets.UTF_8);
        List<String> jvmArgs = List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", kafkaLib.toAbsolutePath() + "/*",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true");
        Path log = dir.resolve("logs").resolve("kafka.log");
        // A formatted log dir (a second run, a broker restart) keeps its cluster id: formatting it again with a new
        // random id fails ("Invalid cluster.id"), even with --ignore-formatted, so only a new dir is formatted.
        if (!Files.isRegularFile(data.resolve("log").resolve("meta.properties"))) {
            ChildJvm.runToCompletion("kafka-storage format", jvmArgs, List.of("kafka.tools.StorageTool", "format",
                    "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString(), "--standalone",
                    "--ignore-formatted"), data, log, 60);
        }
        ChildJvm jvm = ChildJvm.start("kafka", jvmArgs, List.of("kafka.Kafka", config.toString()), data, log);
        BrokerProcess broker = new BrokerProcess(jvm, "127.0.0.1:" + port);
        try {
            Poll.until("Kafka broker on port " + port, timeout, broker::answers, jvm::deathNotice);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    static String serverProperties(Path logDir, int port, int controllerPort) {
        return String.join("\n",
                "# Written by livedpo up on every start: one KRaft node on loopback.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir,
                // One node: every internal topic (offsets, transactions for exactly-once streams) has one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // The contract topics are created up front (TopicSetup) with their partitions and compaction; this
                // is the default for anything else a service writes to, as on a stock broker.
                "num.partitions=1",
                "");
    }

    private boolean answers() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path log() {
        return jvm.log();
    }

    @Override
    public void close() {
        jvm.close();
    }
}
