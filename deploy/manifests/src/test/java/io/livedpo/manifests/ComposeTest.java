package io.livedpo.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.events.TopicContract;
import io.livedpo.events.TopicSpec;
import io.livedpo.feedback.config.FeedbackConfig;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.trainer.config.TrainerConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** deploy/compose agrees with the code: env vars, ports, topics, push and catch-up addresses. */
class ComposeTest {

    private static final Path COMPOSE = Rendered.HOME.resolve("deploy/compose");
    private static final Pattern TOPIC_LINE = Pattern.compile(
            "^topic --topic (\\S+) --partitions (\\d+)((?: --config \\S+=\\S+)*)$");

    static JsonNode compose;
    static Map<String, AppConfig> apps = new HashMap<>();

    @BeforeAll
    static void read() throws Exception {
        // SnakeYAML resolves the merge keys ('<<: *java-service') as compose does; Jackson's YAML reader does not.
        try (Reader in = Files.newBufferedReader(COMPOSE.resolve("compose.yaml"))) {
            compose = Rendered.YAML.valueToTree(new Yaml().load(in));
        }
        apps.put("serving", AppConfig.of("serving", ServingConfig.class));
        apps.put("feedback", AppConfig.of("feedback", FeedbackConfig.class));
        apps.put("trainer", AppConfig.of("trainer", TrainerConfig.class));
    }

    @Test
    void everyEnvVarIsARealPropertyAndPublishedPortsAreTheAppsOwn() {
        for (Map.Entry<String, AppConfig> e : apps.entrySet()) {
            JsonNode service = compose.path("services").path(e.getKey());
            service.path("environment").fieldNames().forEachRemaining(name -> assertTrue(
                    e.getValue().envNames().contains(name), e.getKey() + ": " + name + " sets no property"));
            for (JsonNode port : service.path("ports")) {
                assertTrue(port.asText().endsWith(":" + e.getValue().httpPort()), e.getKey() + " publishes " + port);
            }
            assertEquals("10001:10001", service.path("user").asText(), "non-root");
            assertTrue(service.path("read_only").asBoolean(), "read-only root filesystem");
        }
        readGpuOverride().path("services").path("trainer").path("environment").fieldNames().forEachRemaining(name ->
                assertTrue(apps.get("trainer").envNames().contains(name), name));
    }

    @Test
    void theTrainerPushesToEveryServingReplicaAndReplicasCatchUpFromTheTrainer() throws Exception {
        JsonNode trainerEnv = compose.path("services").path("trainer").path("environment");
        String dnsName = trainerEnv.path("LIVEDPO_TRAINER_PUBLISH_DNS_NAME").asText();
        assertTrue(compose.path("services").path(dnsName).path("deploy").path("replicas").asInt() >= 2,
                "the push name is the replicated serving service");
        assertEquals(AppConfig.servingControlPort(), trainerEnv.path("LIVEDPO_TRAINER_PUBLISH_DNS_PORT").asInt(),
                "pushes go to ModelControl's own port");
        assertEquals("", trainerEnv.path("LIVEDPO_TRAINER_PUBLISH_TARGETS").asText(), "no static target besides");
        String store = "trainer:" + apps.get("trainer").httpPort();
        assertEquals(store, compose.path("services").path("serving").path("environment")
                .path("LIVEDPO_SERVING_CATCH_UP_CHECKPOINT_STORE").asText());
        assertEquals("grpc://" + store, trainerEnv.path("LIVEDPO_TRAINER_PUBLISH_LOCATION_PREFIX").asText());
    }

    @Test
    void topicInitCreatesExactlyTheContract() throws Exception {
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : Files.readAllLines(COMPOSE.resolve("create-topics.sh"))) {
            Matcher m = TOPIC_LINE.matcher(line);
            if (m.matches()) {
                lines.put(m.group(1), line);
            }
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (TopicSpec t : TopicContract.all()) {
            StringBuilder line = new StringBuilder("topic --topic " + t.name() + " --partitions "
                    + t.partitionCount(TopicContract.DEFAULT_PARTITIONS));
            t.configs().forEach((k, v) -> line.append(" --config ").append(k).append('=').append(v));
            expected.put(t.name(), line.toString());
        }
        assertEquals(expected, lines);
    }

    @Test
    void prometheusScrapesEveryAppOnItsManagementPortAndLoadsTheProjectsRules() throws Exception {
        JsonNode prometheus = Rendered.YAML.readTree(COMPOSE.resolve("prometheus.yml").toFile());
        assertEquals("/etc/prometheus/rules/*.yml", prometheus.path("rule_files").get(0).asText());
        Map<String, Integer> scraped = new HashMap<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            assertEquals("/q/metrics", job.path("metrics_path").asText());
            JsonNode dns = job.path("dns_sd_configs");
            if (!dns.isMissingNode()) {
                scraped.put(dns.get(0).path("names").get(0).asText(), dns.get(0).path("port").asInt());
            } else {
                String[] target = job.path("static_configs").get(0).path("targets").get(0).asText().split(":");
                scraped.put(target[0], Integer.parseInt(target[1]));
            }
        }
        Map<String, Integer> expected = new HashMap<>();
        apps.forEach((name, app) -> expected.put(name, app.managementPort()));
        assertEquals(expected, scraped);
        assertTrue(compose.path("services").path("prometheus").path("volumes").toString()
                .contains("../prometheus/rules:/etc/prometheus/rules"));
        assertTrue(compose.path("services").path("grafana").path("volumes").toString()
                .contains("../grafana/dashboards:"));
    }

    private static JsonNode readGpuOverride() {
        try {
            return Rendered.YAML.readTree(COMPOSE.resolve("compose.gpu.yaml").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
