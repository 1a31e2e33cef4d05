package io.livedpo.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The rules as promtool sees them (syntax, then the unit tests in deploy/prometheus/tests), and what an on-call
 * engineer needs of every alert: a severity, a summary, a runbook that exists, and tests that it fires and stays quiet.
 */
class PromtoolRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path TESTS = Tools.HOME.resolve("deploy/prometheus/tests");
    private static final Path OPERATIONS = Tools.HOME.resolve("docs/OPERATIONS.md");

    @Test
    void rulesAreValid() throws Exception {
        List<String> command = new ArrayList<>(List.of(Tools.require("promtool").toString(), "check", "rules"));
        Tools.ruleFiles().forEach(f -> command.add(f.toString()));
        Tools.Result r = Tools.run(command, Tools.HOME);
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        List<String> command = new ArrayList<>(List.of(Tools.require("promtool").toString(), "test", "rules"));
        testFiles().forEach(f -> command.add(f.toString()));
        Tools.Result r = Tools.run(command, TESTS);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void everyAlertHasSeverityRunbookAndTestsBothWays() throws Exception {
        String operations = Files.readString(OPERATIONS);
        Set<String> anchors = anchors(operations);
        Set<String> fires = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (Path f : testFiles()) {
            for (JsonNode test : YAML.readTree(f.toFile()).path("tests")) {
                for (JsonNode t : test.path("alert_rule_test")) {
                    (t.path("exp_alerts").isEmpty() ? quiet : fires).add(t.path("alertname").asText());
                }
            }
        }
        List<String> alerts = alerts();
        assertTrue(alerts.size() >= 18, "alerts found: " + alerts);
        for (JsonNode rule : alertRules()) {
            String name = rule.path("alert").asText();
            assertTrue(Set.of("page", "ticket").contains(rule.path("labels").path("severity").asText()),
                    name + ": severity must be page or ticket");
            assertTrue(!rule.path("annotations").path("summary").asText().isBlank(), name + ": no summary");
            String runbook = rule.path("annotations").path("runbook_url").asText();
            assertEquals("docs/OPERATIONS.md#" + name.toLowerCase(Locale.ROOT), runbook, name + ": runbook_url");
            assertTrue(anchors.contains(name.toLowerCase(Locale.ROOT)), name + ": no '### " + name
                    + "' section in docs/OPERATIONS.md");
            assertTrue(fires.contains(name), name + ": no promtool test where it fires");
            assertTrue(quiet.contains(name), name + ": no promtool test where it must not fire");
        }
    }

    static List<String> alerts() throws Exception {
        return alertRules().stream().map(r -> r.path("alert").asText()).toList();
    }

    static List<JsonNode> alertRules() throws Exception {
        List<JsonNode> rules = new ArrayList<>();
        for (Path f : Tools.ruleFiles()) {
            for (JsonNode group : YAML.readTree(f.toFile()).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) {
                        rules.add(rule);
                    }
                }
            }
        }
        return rules;
    }

    /** GitHub's anchors for the Markdown headings: lower case, punctuation dropped, spaces to dashes. */
    private static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^#{1,6}\\s+(.+)$").matcher(markdown);
        while (m.find()) {
            anchors.add(m.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return anchors;
    }

    private static List<Path> testFiles() throws Exception {
        try (var files = Files.list(TESTS)) {
            return files.filter(f -> f.toString().endsWith(".test.yml")).sorted().toList();
        }
    }
}
