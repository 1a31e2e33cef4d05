package io.livedpo.cli;

import io.livedpo.local.LocalStack;
import io.livedpo.local.LoopMonitor;
import io.livedpo.local.Ports;
import io.livedpo.local.PrometheusServer;
import io.livedpo.local.Service;
import io.livedpo.local.ServiceBuilds;
import io.livedpo.local.StackSettings;
import io.livedpo.local.TopicExport;
import io.livedpo.local.UserTraffic;
import io.livedpo.local.VersionRow;
import io.livedpo.local.VoteLedger;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The whole loop on this machine: a Kafka broker JVM, serving, feedback and trainer as child processes, optionally
 * simulated users. Prints the chat page URL, then one JSON line per model version once its successor is announced.
 */
@Command(mixinStandardHelpOptions = true,
        name = "up", description = "Run the loop locally: Kafka (own JVM), serving, feedback, trainer and optionally"
        + " simulated users; one JSON line per model version; Ctrl-C stops everything.")
final class UpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--simulate-users", defaultValue = "0", paramLabel = "N",
            description = "simulated users chatting and voting through the public APIs (0: none)")
    int users;

    @Option(names = "--rate", defaultValue = "4", paramLabel = "R",
            description = "simulated interactions per second, all users together")
    double rate;

    @Option(names = "--ab-share", defaultValue = "0.2", paramLabel = "S",
            description = "share of simulated interactions that are A/B choices rather than thumbs")
    double abShare;

    @Option(names = "--data-dir", defaultValue = ".livedpo", paramLabel = "DIR",
            description = "Kafka data, checkpoints, logs and the learning curve; reused by the next run")
    Path dataDir;

    @Option(names = "--fresh", description = "delete the data dir first")
    boolean fresh;

    @Option(names = "--model", paramLabel = "DIR", description = "base model (default: models/demo)")
    Path model;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this long (default: until Ctrl-C)")
    Long durationSeconds;

    @Option(names = "--kafka-port", defaultValue = "9092")
    int kafkaPort;

    @Option(names = "--controller-port", defaultValue = "9093", description = "the KRaft controller listener")
    int controllerPort;

    @Option(names = "--serving-port", defaultValue = "8080")
    int servingPort;

    @Option(names = "--feedback-port", defaultValue = "8081")
    int feedbackPort;

    @Option(names = "--trainer-port", defaultValue = "8082")
    int trainerPort;

    @Option(names = "--serving-control-port", defaultValue = "8180", description = "serving's ModelControl (gRPC)")
    int servingControlPort;

    @Option(names = "--serving-management-port", defaultValue = "9080", description = "serving's health and metrics")
    int servingManagementPort;

    @Option(names = "--feedback-management-port", defaultValue = "9081",
            description = "feedback's health and metrics")
    int feedbackManagementPort;

    @Option(names = "--trainer-management-port", defaultValue = "9082", description = "the trainer's health and metrics")
    int trainerManagementPort;

    @Option(names = "--prometheus", description = "also run Prometheus (the prometheus binary on the PATH) scraping"
            + " the services with deploy/prometheus/rules; its URL is printed")
    boolean withPrometheus;

    @Option(names = "--prometheus-port", defaultValue = "9090")
    int prometheusPort;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "the simulated users' seed")
    long seed;

    @Option(names = "--adversarial-share", defaultValue = "0", paramLabel = "S",
            description = "share of the simulated users who vote the opposite of the hidden reward")
    double adversarialShare;

    @Option(names = "--flooder-share", defaultValue = "0", paramLabel = "S",
            description = "share of the simulated users who send 25 votes per answer")
    double flooderShare;

    @Override
    public Integer call() throws Exception {
        try {
            return up();
        } catch (IllegalStateException e) {
            // A child that failed to start or build: its message names the log to read; a stack trace adds nothing.
            spec.commandLine().getErr().println("livedpo up: " + e.getMessage());
            return 1;
        }
    }

    private int up() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // bin/livedpo passes the repository root; run from the root, the working directory is it.
        Path home = Path.of(System.getProperty("livedpo.home", ".")).toAbsolutePath().normalize();
        Path modelDir = model != null ? model : home.resolve("models/demo");
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new BadInputException("no model at " + modelDir + " (pass --model DIR, e.g. "
                    + "libs/policy/src/test/resources/fixtures/tiny-gpt2)");
        }
        Ports ports = new Ports(kafkaPort, controllerPort, servingPort, feedbackPort, trainerPort, servingControlPort,
                servingManagementPort, feedbackManagementPort, trainerManagementPort);
        ports.requireFree(); // before a possibly long build
        Path prometheusBinary = withPrometheus ? prometheusBinary() : null;
        if (fresh) {
            deleteDataDir(dataDir);
        }
        logClientsToFile(dataDir.resolve("logs").resolve("livedpo-up.log"));
        if (!ServiceBuilds.buildMissing(home, EnumSet.allOf(Service.class)).isEmpty()) {
            err.println("livedpo up: services built");
        }
        StackSettings settings = StackSettings.of(home, dataDir, modelDir, ports);
        err.println("livedpo up: starting Kafka and the services (logs in " + settings.dataDir().resolve("logs")
                + ")");
        LocalStack stack = LocalStack.start(settings);
        PrometheusServer prometheus;
        try {
            prometheus = prometheusBinary == null ? null : PrometheusServer.start(prometheusBinary, settings,
                    settings.dataDir().resolve("prometheus"), prometheusPort, PrometheusServer.projectRules(home),
                    Duration.ofSeconds(5));
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
        VoteLedger ledger = new VoteLedger();
        LoopMonitor monitor = new LoopMonitor(stack.bootstrapServers(), "default", ledger, settings.dataDir(),
                settings.managementUrl(Service.TRAINER), row -> Json.print(out, json(row)));
        UserTraffic traffic = users > 0 ? new UserTraffic(new UserTraffic.Settings(List.of(settings.servingUrl()),
                settings.feedbackUrl(), users, rate, abShare, 48, Math.min(users, 8), seed, adversarialShare,
                flooderShare), ledger) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopping.compareAndSet(false, true)) {
                err.println("livedpo up: stopping");
                try {
                    if (traffic != null) {
                        traffic.close();
                    }
                    monitor.close();
                    exportTopics(stack, settings.dataDir().resolve("export"), err);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    if (prometheus != null) {
                        prometheus.close();
                    }
                    stack.close();
                    stopped.countDown();
                }
            }
        };
        // Ctrl-C and SIGTERM run shutdown hooks: stop the children before this JVM goes.
        Thread hook = new Thread(() -> {
            stop.run();
            awaitQuietly(stopped);
        }, "livedpo-up-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<String, Object> started = new LinkedHashMap<>(Map.of("chat", settings.servingUrl() + "/",
                "data_dir", settings.dataDir().toString(),
                "curve", settings.dataDir().resolve("learning-curve.html").toString()));
        if (prometheus != null) {
            started.put("prometheus", prometheus.url());
        }
        Json.print(out, started);
        if (traffic != null) {
            traffic.start();
        }
        if (durationSeconds == null) {
            stopped.await();
        } else if (!stopped.await(durationSeconds, TimeUnit.SECONDS)) {
            Runtime.getRuntime().removeShutdownHook(hook);
            stop.run();
        }
        return 0;
    }

    /** The run's topics, for {@code livedpo replay}; a failure is reported, never stops the shutdown. */
    private static void exportTopics(LocalStack stack, Path dir, PrintWriter err) {
        try {
            err.println("livedpo up: topics exported to " + TopicExport.write(stack.bootstrapServers(), dir).get(0)
                    .getParent());
        } catch (IOException | RuntimeException e) {
            err.println("livedpo up: could not export the topics: " + e.getMessage());
        }
    }

    private Path prometheusBinary() {
        Path binary = PrometheusServer.binary().orElseThrow(() -> new BadInputException(
                "--prometheus: no prometheus binary on the PATH; " + PrometheusServer.INSTALL_HINT));
        if (!Ports.isFree(prometheusPort)) {
            throw new BadInputException("--prometheus-port " + prometheusPort + " is taken; choose another");
        }
        return binary;
    }

    /**
     * Kafka clients in this JVM (topic setup, the loop monitor) warn while the broker starts; those lines belong in
     * the log, not between the JSON lines on the console. slf4j-simple reads this once, before its first logger.
     */
    private static void logClientsToFile(Path log) throws IOException {
        Files.createDirectories(log.getParent());
        System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
    }

    private static Map<String, Object> json(VersionRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", r.version());
        m.put("pairs_trained", r.pairsTrained());
        m.put("votes", r.votes());
        m.put("thumbs_up_rate", finite(r.thumbsUpRate()));
        m.put("kl", finite(r.kl()));
        m.put("feedback_to_serving_seconds", finite(r.feedbackToServingSeconds()));
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes only a directory an earlier run made (it has kafka/server.properties), never an arbitrary one. */
    static void deleteDataDir(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isRegularFile(dir.resolve("kafka/server.properties"))) {
            throw new BadInputException("--fresh: " + dir + " does not look like a livedpo up data dir "
                    + "(no kafka/server.properties); delete it yourself or choose another --data-dir");
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
