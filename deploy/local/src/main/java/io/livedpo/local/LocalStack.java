package io.livedpo.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The whole loop on one machine: a Kafka broker JVM, the contract's topics, then the services as child JVMs, each
 * awaited until ready. {@link #close} stops the services (newest first), then the broker.
 */
public final class LocalStack implements AutoCloseable {

    private final StackSettings settings;
    private final Secrets secrets = Secrets.generate();
    private final List<ServiceProcess> services;
    private BrokerProcess broker;
    /** The partitionable replica's links: the trainer → its ModelControl, it → the trainer's CheckpointStore. */
    private PartitionProxy controlLink;
    private PartitionProxy storeLink;

    private LocalStack(StackSettings settings, BrokerProcess broker, List<ServiceProcess> services) {
        this.settings = settings;
        this.broker = broker;
        this.services = services;
    }

    /** Checks the ports, then starts everything; on any failure, what was started is stopped again. */
    public static LocalStack start(StackSettings settings) throws IOException, InterruptedException {
        for (Service s : settings.services()) {
            if (!s.built(settings.home())) {
                throw new IllegalStateException(s.displayName() + " is not built: no " + s.jar(settings.home()));
            }
        }
        if (!Files.isRegularFile(settings.modelDir().resolve("config.json"))) {
            throw new IllegalStateException("no model at " + settings.modelDir() + " (expected config.json there)");
        }
        settings.ports().requireFree();
        for (int i = 1; i < settings.servingReplicas(); i++) {
            if (!Ports.isFree(settings.servingHost(i), settings.ports().serving())) {
                throw new PortTakenException("port " + settings.ports().serving() + " is already in use on "
                        + settings.servingHost(i) + " (serving replica " + (i + 1) + "): choose another with "
                        + "--serving-port");
            }
        }
        Files.createDirectories(settings.dataDir());
        BrokerProcess broker = startBroker(settings);
        LocalStack stack = new LocalStack(settings, broker, new ArrayList<>());
        try {
            TopicSetup.create(broker.bootstrapServers());
            stack.openTrainerLinks();
            // In order: the trainer pushes to serving, and serving's feedback page points at feedback; each one
            // retries its peers, so the order only makes the first minute's logs quieter.
            for (Service s : List.of(Service.FEEDBACK, Service.SERVING, Service.TRAINER)) {
                if (settings.services().contains(s)) {
                    for (int replica = 0; replica < replicas(settings, s); replica++) {
                        stack.startService(s, replica);
                    }
                }
            }
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void openTrainerLinks() throws IOException {
        int replica = settings.partitionableReplica();
        if (replica < 0) {
            return;
        }
        controlLink = PartitionProxy.start("partition-control", "127.0.0.1",
                new InetSocketAddress(settings.servingHost(replica), settings.ports().servingControl()));
        storeLink = PartitionProxy.start("partition-store", "127.0.0.1",
                new InetSocketAddress("127.0.0.1", settings.ports().trainer()));
    }

    private static BrokerProcess startBroker(StackSettings settings) throws IOException, InterruptedException {
        return BrokerProcess.start(settings.kafkaLib(), settings.dataDir(), settings.ports().kafka(),
                settings.ports().controller(), settings.readyTimeout());
    }

    private static int replicas(StackSettings settings, Service s) {
        return s == Service.SERVING ? settings.servingReplicas() : 1;
    }

    /** {@code serving}, {@code serving-2}, …: the instance's log file and data dir are named after it. */
    private static String instanceName(Service s, int replica) {
        return replica == 0 ? s.displayName() : s.displayName() + "-" + (replica + 1);
    }

    private void startService(Service s, int replica) throws IOException {
        String name = instanceName(s, replica);
        Path dir = settings.dataDir().resolve(name);
        Files.createDirectories(dir);
        Map<String, String> config = new HashMap<>(config(s, replica, dir));
        config.putAll(settings.overrides().getOrDefault(s, Map.of()));
        String host = s == Service.SERVING ? settings.servingHost(replica) : "127.0.0.1";
        ServiceProcess p = ServiceProcess.start(settings.home(), s, name, host, settings.ports().management(s), config,
                dir, settings.dataDir().resolve("logs").resolve(name + ".log"));
        services.add(p);
        p.awaitReady(settings.readyTimeout());
    }

    private int port(Service s) {
        return switch (s) {
            case SERVING -> settings.ports().serving();
            case FEEDBACK -> settings.ports().feedback();
            case TRAINER -> settings.ports().trainer();
        };
    }

    private Map<String, String> config(Service s, int replica, Path dir) {
        Ports ports = settings.ports();
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.http.port", String.valueOf(port(s)));
        // Replicas share every port number, each on its own loopback address; management and ModelControl bind
        // to the HTTP host by default.
        c.put("quarkus.http.host", s == Service.SERVING ? settings.servingHost(replica) : "127.0.0.1");
        c.put("quarkus.management.port", String.valueOf(ports.management(s)));
        c.put("kafka.bootstrap.servers", broker.bootstrapServers());
        String model = settings.modelDir().toString();
        switch (s) {
            case SERVING -> {
                c.put("livedpo.serving.model-dir", model);
                c.put("livedpo.serving.control.port", String.valueOf(ports.servingControl()));
                c.put("livedpo.serving.control.token", secrets.controlToken());
                c.put("livedpo.serving.control.signing-key", secrets.signingKey());
                c.put("livedpo.serving.control.staging-dir", dir.resolve("staging").toString());
                c.put("livedpo.serving.catch-up.checkpoint-store", replica == settings.partitionableReplica()
                        ? storeLink.hostPort() : "127.0.0.1:" + ports.trainer());
                c.put("livedpo.serving.feedback-url", settings.feedbackUrl());
            }
            case FEEDBACK -> {
                // The chat page is served by serving; browsers may name the host either way.
                c.put("livedpo.feedback.cors-origins",
                        "http://localhost:" + ports.serving() + ",http://127.0.0.1:" + ports.serving());
                c.put("kafka-streams.state.dir", dir.resolve("streams").toString());
            }
            case TRAINER -> {
                c.put("livedpo.trainer.model-dir", model);
                c.put("livedpo.trainer.store-dir", dir.resolve("checkpoints").toString());
                List<String> targets = new ArrayList<>();
                for (int i = 0; i < settings.servingReplicas(); i++) {
                    targets.add(i == settings.partitionableReplica() ? controlLink.hostPort()
                            : settings.servingHost(i) + ":" + ports.servingControl());
                }
                c.put("livedpo.trainer.publish.targets", String.join(",", targets));
                c.put("livedpo.trainer.publish.token", secrets.controlToken());
                c.put("livedpo.trainer.publish.signing-key", secrets.signingKey());
                c.put("livedpo.trainer.publish.location-prefix", "grpc://127.0.0.1:" + ports.trainer());
            }
        }
        return c;
    }

    public StackSettings settings() {
        return settings;
    }

    /** The control token and signing key of this run, for a test that pushes to serving as the trainer does. */
    Secrets secrets() {
        return secrets;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Instance name ({@code kafka}, {@code serving}, {@code serving-2}, …) → its log file, for messages. */
    public Map<String, Path> logs() {
        Map<String, Path> logs = new HashMap<>();
        logs.put("kafka", broker.log());
        services.forEach(p -> logs.put(p.name(), p.log()));
        return logs;
    }

    /** Stops one service (SIGTERM, as close does), leaving the others and the broker running: a fault to inject. */
    public void stop(Service service) {
        services.removeIf(p -> {
            if (p.service() != service) {
                return false;
            }
            p.close();
            return true;
        });
    }

    /**
     * {@code kill -9} of one instance (replica {@code replica} of {@code service}, 0-based): no shutdown hook runs, so
     * nothing is flushed, committed or deregistered. {@link #restart} starts it again.
     */
    public void kill(Service service, int replica) {
        String name = instanceName(service, replica);
        ServiceProcess p = services.stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " is not running"));
        p.kill();
        services.remove(p);
    }

    /** Starts a killed or stopped instance again with the same settings, data dir and log, and awaits readiness. */
    public void restart(Service service, int replica) throws IOException {
        String name = instanceName(service, replica);
        if (services.stream().anyMatch(x -> x.name().equals(name))) {
            throw new IllegalStateException(name + " is still running");
        }
        startService(service, replica);
    }

    /**
     * Partitions the trainer from the partitionable serving replica, both ways: every byte and new connection on its
     * two links is held (black-holed) until {@link #heal}, as when a network drops the packets — no reset, so the
     * open gRPC connections look alive and calls on them wait out their deadlines (a reset would make gRPC fail them
     * at once, which is the gentler case). The replica still serves chat and still reads the broker: only its links
     * with the trainer are cut, as by a network partition between the two pods.
     */
    public void partition() {
        requirePartitionable();
        controlLink.blackHole();
        storeLink.blackHole();
    }

    /** Ends {@link #partition}: the links pass traffic again. */
    public void heal() {
        requirePartitionable();
        controlLink.heal();
        storeLink.heal();
    }

    private void requirePartitionable() {
        if (controlLink == null) {
            throw new IllegalStateException("this stack has no partitionable replica (StackSettings.partitionable)");
        }
    }

    /** Stops the broker (SIGTERM: a clean shutdown), leaving the services running without it. */
    public void stopBroker() {
        broker.close();
    }

    /** Starts the broker again on the same ports and log dir (its topics and offsets are kept). */
    public void startBroker() throws IOException, InterruptedException {
        broker = startBroker(settings);
    }

    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        services.clear();
        broker.close();
        if (controlLink != null) {
            controlLink.close();
            storeLink.close();
        }
    }

    /** The control-plane token and archive signing key trainer and serving share; new for every run. */
    record Secrets(String controlToken, String signingKey) {
        static Secrets generate() {
            SecureRandom random = new SecureRandom();
            return new Secrets(hex(random), hex(random));
        }

        private static String hex(SecureRandom random) {
            byte[] b = new byte[32];
            random.nextBytes(b);
            return HexFormat.of().formatHex(b);
        }
    }
}
