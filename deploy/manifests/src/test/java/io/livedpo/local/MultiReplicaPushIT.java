package io.livedpo.local;


import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.Topics;
import io.livedpo.testing.kafka.KafkaBroker;
import io.livedpo.testing.kafka.KafkaBrokerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Kubernetes push path for real: two serving replicas on their own loopback addresses behind one host name that
 * resolves to both (a hosts file standing in for a headless service), and a trainer pushing to that name. Both
 * replicas activate every version; a replica that is down during a push catches up when it starts again.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MultiReplicaPushIT {

    private static final Path HOME = Path.of(System.getProperty("livedpo.home", "../..")).toAbsolutePath().normalize();
    private static final Path MODEL = HOME.resolve("libs/policy/src/test/resources/fixtures/tiny-gpt2");
    private static final String NAME = "serving.livedpo.test";
    private static final String REPLICA_A = "127.0.0.2";
    private static final String REPLICA_B = "127.0.0.3";
    private static final Duration START = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyReplicaBehindTheNameActivatesEveryVersionAndAMissedOneCatchesUp(KafkaBroker broker) throws Exception {
        TopicSetup.create(broker.bootstrapServers());
        Path dir = Files.createTempDirectory(Path.of("target"), "multi-replica").toAbsolutePath();
        // With jdk.net.hosts.file the JVM resolves from that file only: the broker's localhost must be in it too.
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n"
                + REPLICA_A + " " + NAME + "\n" + REPLICA_B + " " + NAME + "\n");
        // Each replica: the public port, ModelControl's and the management interface's, the same on both addresses.
        int[] replica = portsFreeOn(3, REPLICA_A, REPLICA_B);
        ServingPorts serving = new ServingPorts(replica[0], replica[1], replica[2]);
        int servingPort = serving.http();
        int[] trainerPorts = portsFreeOn(2, "127.0.0.1");
        int trainerPort = trainerPorts[0];
        int trainerManagement = trainerPorts[1];
        Map<String, String> secrets = Map.of("token", "multi-replica-token", "key", "multi-replica-key");

        try (ChildJvm trainer = start(Service.TRAINER, dir, "trainer", trainerSettings(broker, dir, hosts, serving,
                trainerPort, trainerManagement, secrets));
             ChildJvm a = start(Service.SERVING, dir, "serving-a", servingSettings(broker, dir, "a", REPLICA_A,
                     serving, trainerPort, secrets))) {
            ChildJvm b = start(Service.SERVING, dir, "serving-b", servingSettings(broker, dir, "b", REPLICA_B,
                    serving, trainerPort, secrets));
            try {
                awaitReady(a, REPLICA_A, serving.management());
                awaitReady(b, REPLICA_B, serving.management());
                awaitReady(trainer, "127.0.0.1", trainerManagement);

                sendPairs(broker, 0, 4);
                // The trainer may publish a second version from these pairs while we read: wait for both replicas to
                // settle on one version rather than comparing two reads a push may fall between.
                Poll.until("both replicas serve the same version, at least 1", START, () -> {
                    long onA = version(REPLICA_A, servingPort);
                    return onA >= 1 && onA == version(REPLICA_B, servingPort);
                }, trainer::deathNotice);
            } finally {
                b.close();
            }

            sendPairs(broker, 4, 8);
            long first = version(REPLICA_A, servingPort);
            Poll.until("replica A activates a newer version while B is down", START,
                    () -> version(REPLICA_A, servingPort) > first, trainer::deathNotice);
            long missed = version(REPLICA_A, servingPort);

            try (ChildJvm restarted = start(Service.SERVING, dir, "serving-b2", servingSettings(broker, dir, "b2",
                    REPLICA_B, serving, trainerPort, secrets))) {
                awaitReady(restarted, REPLICA_B, serving.management());
                Poll.until("the restarted replica catches up to v" + missed, START,
                        () -> version(REPLICA_B, servingPort) >= missed, restarted::deathNotice);
            }
        }
    }

    /** A serving replica's ports: public (chat), ModelControl, management (health, metrics). */
    private record ServingPorts(int http, int control, int management) {
    }

    private static Map<String, String> trainerSettings(KafkaBroker broker, Path dir, Path hosts, ServingPorts serving,
                                                       int trainerPort, int trainerManagement,
                                                       Map<String, String> secrets) {
        return Map.ofEntries(Map.entry("jdk.net.hosts.file", hosts.toString()),
                Map.entry("quarkus.http.host", "127.0.0.1"),
                Map.entry("quarkus.http.port", String.valueOf(trainerPort)),
                Map.entry("quarkus.management.port", String.valueOf(trainerManagement)),
                Map.entry("kafka.bootstrap.servers", broker.bootstrapServers()),
                Map.entry("livedpo.trainer.model-dir", MODEL.toString()),
                Map.entry("livedpo.trainer.store-dir", dir.resolve("checkpoints").toString()),
                // Empty: no static target; the name alone must reach both replicas.
                Map.entry("livedpo.trainer.publish.targets", ""),
                Map.entry("livedpo.trainer.publish.dns-name", NAME),
                Map.entry("livedpo.trainer.publish.dns-port", String.valueOf(serving.control())),
                Map.entry("livedpo.trainer.publish.location-prefix", "grpc://127.0.0.1:" + trainerPort),
                Map.entry("livedpo.trainer.publish.token", secrets.get("token")),
                Map.entry("livedpo.trainer.publish.signing-key", secrets.get("key")),
                Map.entry("livedpo.trainer.publish.max-attempts", "2"),
                Map.entry("livedpo.trainer.batch.size", "4"),
                Map.entry("livedpo.trainer.batch.max-wait", "300ms"),
                Map.entry("livedpo.trainer.checkpoint.every-steps", "1"),
                Map.entry("livedpo.trainer.checkpoint.every", "1s"),
                Map.entry("livedpo.trainer.dpo.lora-rank", "4"),
                Map.entry("livedpo.trainer.dpo.lora-alpha", "8"),
                Map.entry("livedpo.trainer.dpo.warmup-steps", "0"),
                Map.entry("livedpo.trainer.kl.max-tokens", "4"));
    }

    private static Map<String, String> servingSettings(KafkaBroker broker, Path dir, String id, String host,
                                                       ServingPorts ports, int trainerPort,
                                                       Map<String, String> secrets) {
        return Map.of("quarkus.http.host", host, "quarkus.http.port", String.valueOf(ports.http()),
                "quarkus.management.port", String.valueOf(ports.management()),
                "livedpo.serving.control.port", String.valueOf(ports.control()),
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "livedpo.serving.model-dir", MODEL.toString(),
                "livedpo.serving.control.token", secrets.get("token"),
                "livedpo.serving.control.signing-key", secrets.get("key"),
                "livedpo.serving.control.staging-dir", dir.resolve("staging-" + id).toString(),
                "livedpo.serving.catch-up.checkpoint-store", "127.0.0.1:" + trainerPort);
    }

    private static ChildJvm start(Service service, Path dir, String name, Map<String, String> settings)
            throws IOException {
        if (!service.built(HOME)) {
            throw new IllegalStateException(service.jar(HOME) + " is not built (the reactor packages it before this)");
        }
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx512m"));
        jvmArgs.addAll(ServiceProcess.JVM_OPTIONS);
        settings.forEach((k, v) -> jvmArgs.add("-D" + k + "=" + v));
        return ChildJvm.start(name, jvmArgs, List.of("-jar", service.jar(HOME).toString()), dir,
                dir.resolve("logs").resolve(name + ".log"));
    }

    private static void awaitReady(ChildJvm jvm, String host, int port) {
        Poll.until(host + ":" + port + " ready", START,
                () -> status("http://" + host + ":" + port + "/q/health/ready") == 200, jvm::deathNotice);
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The active version of policy "default" on one replica (-1 while it does not answer). */
    private static long version(String host, int port) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/models"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            for (var model : JSON.readTree(body).path("data")) {
                if (model.path("id").asText().equals("default")) {
                    return Long.parseLong(model.path("version").asText());
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sendPairs(KafkaBroker broker, int from, int to) throws Exception {
        try (KafkaProducer<String, PreferencePair> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new JsonSerializer<>())) {
            for (int i = from; i < to; i++) {
                String a = "resp-a-" + i;
                String b = "resp-b-" + i;
                Instant at = Instant.now();
                PreferencePair pair = new PreferencePair(PreferencePair.SCHEMA, PreferencePair.idOf(a, b), "default",
                        List.of(new PromptMessage("user", "Say something kind, " + i)), "You are doing great.",
                        "Whatever.", a, b, 0, 0, PairSource.PAIRWISE, at, at);
                p.send(new ProducerRecord<>(Topics.PAIRS, pair.policy(), pair)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** {@code count} distinct ports, each free on every one of {@code hosts}. */
    private static int[] portsFreeOn(int count, String... hosts) throws IOException {
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            int p;
            do {
                p = portFreeOn(hosts);
            } while (contains(ports, i, p));
            ports[i] = p;
        }
        return ports;
    }

    private static boolean contains(int[] ports, int upTo, int port) {
        for (int i = 0; i < upTo; i++) {
            if (ports[i] == port) {
                return true;
            }
        }
        return false;
    }

    /** A port no one listens on at any of {@code hosts} (the replicas share one port on different addresses). */
    private static int portFreeOn(String... hosts) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(hosts[0]))) {
                port = s.getLocalPort();
            }
            boolean free = true;
            for (String h : hosts) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(h), port));
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no port free on all of " + List.of(hosts));
    }
}
