package io.livedpo.local;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus ({@code prometheus} from the PATH: Debian's package) scraping the local stack's three services
 * with the project's rules. Used by {@code livedpo up --prometheus} and by the rules' integration test.
 */
public final class PrometheusServer implements AutoCloseable {

    /** The package that ships {@code prometheus} and {@code promtool}, for the message when they are missing. */
    public static final String INSTALL_HINT = "install Prometheus (Debian/Ubuntu: sudo apt-get install prometheus;"
            + " or put the prometheus binary from prometheus.io/download on the PATH)";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final String url;
    private final Path log;

    private PrometheusServer(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** The {@code prometheus} executable on the PATH, if any. */
    public static Optional<Path> binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "prometheus");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Writes {@code dir/prometheus.yml} (one job per service, named {@code livedpo-<service>} as the rules expect),
     * starts Prometheus on {@code port} with its data under {@code dir} and returns once it is ready.
     */
    public static PrometheusServer start(Path binary, StackSettings stack, Path dir, int port, List<Path> ruleFiles,
                                         Duration interval) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, config(stack, ruleFiles, interval), StandardCharsets.UTF_8);
        Path log = stack.dataDir().resolve("logs").resolve("prometheus.log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port, log);
        try {
            Poll.until("Prometheus on port " + port, START_TIMEOUT, server::ready, server::deathNotice);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The rule files of {@code deploy/prometheus/rules}, the one source compose and Kubernetes load too. */
    public static List<Path> projectRules(Path home) throws IOException {
        try (var files = Files.list(home.resolve("deploy/prometheus/rules"))) {
            return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static String config(StackSettings stack, List<Path> ruleFiles, Duration interval) {
        StringBuilder y = new StringBuilder("# Written by livedpo on every start.\nglobal:\n")
                .append("  scrape_interval: ").append(interval.toSeconds()).append("s\n")
                .append("  evaluation_interval: ").append(interval.toSeconds()).append("s\n")
                .append("rule_files:\n");
        ruleFiles.forEach(f -> y.append("  - '").append(f.toAbsolutePath()).append("'\n"));
        y.append("scrape_configs:\n");
        for (Service s : Service.values()) {
            if (stack.services().contains(s)) {
                y.append("  - job_name: 'livedpo-").append(s.displayName()).append("'\n")
                        .append("    metrics_path: /q/metrics\n")
                        .append("    static_configs:\n")
                        .append("      - targets: ['127.0.0.1:").append(stack.ports().management(s)).append("']\n");
            }
        }
        return y.toString();
    }

    public String url() {
        return url;
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/-/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String deathNotice() {
        return process.isAlive() ? null : "prometheus exited with code " + process.exitValue() + "; see " + log;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
