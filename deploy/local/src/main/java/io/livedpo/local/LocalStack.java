package io.livedpo.local;

import java.io.IOException;
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
    private final BrokerProcess broker;
    private final List<ServiceProcess> services;

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
        Files.createDirectories(settings.dataDir());
        BrokerProcess broker = BrokerProcess.start(settings.kafkaLib(), settings.dataDir(), settings.ports().kafka(),
                settings.ports().controller());
        LocalStack stack = new LocalStack(settings, broker, new ArrayList<>());
        try {
            TopicSetup.create(broker.bootstrapServers());
            Secrets secrets = Secrets.generate();
            // In order: the trainer pushes to serving, and serving's feedback page points at feedback; each one
            // retries its peers, so the order only makes the first minute's logs quieter.
            for (Service s : List.of(Service.FEEDBACK, Service.SERVING, Service.TRAINER)) {
                if (settings.services().contains(s)) {
                    stack.startService(s, secrets);
                }
            }
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startService(Service s, Secrets secrets) throws IOException {
        Path dir = settings.dataDir().resolve(s.displayName());
        Files.createDirectories(dir);
        Map<String, String> config = new HashMap<>(config(s, secrets, dir));
        config.putAll(settings.overrides().getOrDefault(s, Map.of()));
        ServiceProcess p = ServiceProcess.start(settings.home(), s, settings.ports().management(s), config, dir,
                settings.dataDir().resolve("logs").resolve(s.displayName() + ".log"));
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

    private Map<String, String> config(Service s, Secrets secrets, Path dir) {
        Ports ports = settings.ports();
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.http.port", String.valueOf(port(s)));
        c.put("quarkus.http.host", "127.0.0.1");
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
                c.put("livedpo.serving.catch-up.checkpoint-store", "127.0.0.1:" + ports.trainer());
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
                c.put("livedpo.trainer.publish.targets", "127.0.0.1:" + ports.servingControl());
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

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Service name → its log file, for messages that tell the user where to look. */
    public Map<String, Path> logs() {
        Map<String, Path> logs = new HashMap<>();
        logs.put("kafka", broker.log());
        services.forEach(p -> logs.put(p.service().displayName(), p.log()));
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

    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        services.clear();
        broker.close();
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
