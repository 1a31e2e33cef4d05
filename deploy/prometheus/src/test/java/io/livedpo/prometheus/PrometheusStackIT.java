package io.livedpo.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.local.LocalStack;
import io.livedpo.local.Ports;
import io.livedpo.local.PrometheusServer;
import io.livedpo.local.Service;
import io.livedpo.local.StackSettings;
import io.livedpo.local.UserTraffic;
import io.livedpo.local.VoteLedger;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

/**
 * The real Prometheus against the running system: the local stack (Kafka, serving, feedback, trainer on the tiny
 * model) with simulated users, scraped with the project's rules. Every target is up, every rule evaluates without
 * error, promtool accepts each service's exposition, every dashboard query runs, and stopping the trainer while
 * pairs keep coming drives LivedpoTrainerStalled to pending or firing.
 *
 * <p>The rules are a test copy of deploy/prometheus/rules with every {@code for:} shortened to 10 s: the real ones
 * wait minutes, longer than a test should. Nothing else in them changes.
 */
class PrometheusStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path DASHBOARD = Tools.HOME.resolve("deploy/grafana/dashboards/livedpo.json");

    @Test
    void prometheusScrapesTheStackEvaluatesTheRulesAndAlertsOnAStoppedTrainer() throws Exception {
        Path prometheusBinary = Tools.require("prometheus");
        Path promtool = Tools.require("promtool");
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()),
                "it-prometheus");
        StackSettings settings = StackSettings.of(Tools.HOME, dir.resolve("stack"),
                Tools.HOME.resolve("libs/policy/src/test/resources/fixtures/tiny-gpt2"), Ports.ephemeral());
        try (LocalStack stack = LocalStack.start(settings);
             PrometheusServer prometheus = PrometheusServer.start(prometheusBinary, settings,
                     dir.resolve("prometheus"), freePort(), shortForCopies(dir.resolve("rules")),
                     Duration.ofSeconds(2));
             UserTraffic users = new UserTraffic(new UserTraffic.Settings(settings.servingUrl(),
                     settings.feedbackUrl(), 6, 8, 0.3, 8, 6, 11L), new VoteLedger())) {
            users.start();
            String api = prometheus.url() + "/api/v1/";

            await("every target up").atMost(Duration.ofMinutes(2)).until(() -> {
                JsonNode targets = get(api + "targets").path("data").path("activeTargets");
                return targets.size() == 3 && all(targets, t -> t.path("health").asText().equals("up"));
            });
            await("every rule evaluated without error").atMost(Duration.ofMinutes(1)).until(() -> {
                List<String> bad = new ArrayList<>();
                for (JsonNode group : get(api + "rules").path("data").path("groups")) {
                    for (JsonNode rule : group.path("rules")) {
                        if (!rule.path("health").asText().equals("ok")) {
                            bad.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
                                    + rule.path("lastError").asText());
                        }
                    }
                }
                return bad.isEmpty();
            });
            for (String url : List.of(settings.managementUrl(Service.SERVING), settings.managementUrl(Service.FEEDBACK),
                    settings.managementUrl(Service.TRAINER))) {
                assertPromtoolAccepts(promtool, url + "/q/metrics");
            }

            // The loop runs: pairs reach the trainer and it checkpoints, so "stalled" is quiet before the fault.
            await("a trainer checkpoint").atMost(Duration.ofMinutes(4))
                    .until(() -> !query(api, "livedpo_trainer_checkpoint_age_seconds").isEmpty());
            // Before its first checkpoint the trainer counts as stalled (no checkpoint age at all); once it has one,
            // the alert must clear on the next evaluations.
            await("LivedpoTrainerStalled quiet while the trainer checkpoints").atMost(Duration.ofSeconds(30))
                    .until(() -> alertState(api, "LivedpoTrainerStalled").isEmpty());
            assertDashboardQueriesRun(api);

            stack.stop(Service.TRAINER);
            await("LivedpoTrainerStalled pending or firing").atMost(Duration.ofMinutes(2))
                    .until(() -> List.of("pending", "firing").contains(alertState(api, "LivedpoTrainerStalled")));
            assertTrue(query(api, "up{job=\"livedpo-trainer\"} == 0").size() == 1, "the trainer target is down");
        }
    }

    /** Every panel's PromQL runs without error; the core panels (marked in the test list) return data. */
    private void assertDashboardQueriesRun(String api) throws Exception {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        List<String> failures = new ArrayList<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = Dashboard.concrete(target.path("expr").asText());
                JsonNode answer = raw(api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
                queries++;
                if (!answer.path("status").asText().equals("success")) {
                    failures.add(panel.path("title").asText() + ": " + answer.path("error").asText());
                } else if (Dashboard.CORE_PANELS.contains(panel.path("title").asText())
                        && answer.path("data").path("result").isEmpty()) {
                    failures.add(panel.path("title").asText() + ": no data for " + expr);
                }
            }
        }
        assertTrue(queries >= 20, "dashboard queries found: " + queries);
        assertEquals(List.of(), failures);
    }

    /**
     * promtool finds nothing on the page, upstream meters included. The page is asked for in the text format
     * ({@code Accept: text/plain}), the one {@code promtool check metrics} parses: without that header Quarkus answers
     * OpenMetrics, which Prometheus itself asks for when it scrapes. Each page and report is kept under
     * target/promtool for a failure's diagnosis.
     */
    private static void assertPromtoolAccepts(Path promtool, String url) throws Exception {
        String exposition = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        Path dump = Files.createDirectories(Path.of("target", "promtool"));
        String stem = String.valueOf(URI.create(url).getPort());
        Files.writeString(dump.resolve(stem + ".prom"), exposition);
        Files.writeString(dump.resolve(stem + ".report"), report);
        assertTrue(exposition.contains("# TYPE livedpo_build_info gauge"), url + " served no LiveDPO metrics");
        assertEquals("", report.strip(), url + ": promtool check metrics");
        assertEquals(0, exit, url + ": promtool's exit status");
    }

    /** Copies of the project's rules with every {@code for:} at 10 s (see the class comment). */
    private static List<Path> shortForCopies(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> copies = new ArrayList<>();
        for (Path f : Tools.ruleFiles()) {
            Path copy = dir.resolve(f.getFileName());
            Files.writeString(copy, Files.readString(f).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 10s"));
            copies.add(copy);
        }
        return copies;
    }

    private static String alertState(String api, String name) throws Exception {
        for (JsonNode alert : get(api + "alerts").path("data").path("alerts")) {
            if (alert.path("labels").path("alertname").asText().equals(name)) {
                return alert.path("state").asText();
            }
        }
        return "";
    }

    private static JsonNode query(String api, String expr) throws Exception {
        return get(api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).path("data").path("result");
    }

    private static JsonNode get(String url) throws Exception {
        JsonNode answer = raw(url);
        assertEquals("success", answer.path("status").asText(), url + ": " + answer);
        return answer;
    }

    private static JsonNode raw(String url) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static boolean all(JsonNode array, Predicate<JsonNode> test) {
        return StreamSupport.stream(array.spliterator(), false).allMatch(test);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static ConditionFactory await(String what) {
        return Awaitility.await(what).pollInterval(Duration.ofSeconds(1));
    }
}
