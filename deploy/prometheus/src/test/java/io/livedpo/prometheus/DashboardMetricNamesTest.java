package io.livedpo.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every metric a dashboard query or a rule names exists: a {@code livedpo_…} name is declared by the code (a meter
 * name literal in a service's or library's main sources, dots or underscores, with the suffixes Prometheus adds: base
 * unit, {@code _total}, histogram series), a {@code livedpo:…} name is a recording rule. A panel naming a metric
 * nobody exports runs without error and just stays empty, which {@code PrometheusStackIT} cannot tell from a quiet
 * system (the live-canary panels, say, are empty without a canary), so this is checked statically here.
 */
class DashboardMetricNamesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path DASHBOARDS = Tools.HOME.resolve("deploy/grafana/dashboards");
    /** A LiveDPO meter name as a Java string literal: {@code "livedpo.serving.requests"}, {@code "livedpo_x_y"}. */
    private static final Pattern DECLARED = Pattern.compile("\"(livedpo[._][a-z0-9_.]+)\"");
    /** A LiveDPO metric or recording rule in PromQL. */
    private static final Pattern NAMED = Pattern.compile("(?<![A-Za-z0-9_:])(livedpo[_:][A-Za-z0-9_:]+)");
    private static final List<String> SERIES_SUFFIXES = List.of("_bucket", "_count", "_sum", "_max");
    private static final List<String> UNIT_SUFFIXES = List.of("_seconds", "_records", "_bytes");

    @Test
    void everyMetricTheDashboardsAndRulesNameIsDeclared() throws Exception {
        Set<String> declared = declaredMetrics();
        Set<String> recorded = recordingRules();
        List<String> unknown = new ArrayList<>();
        int names = 0;
        for (Query q : queries()) {
            Matcher m = NAMED.matcher(q.expr());
            while (m.find()) {
                names++;
                if (!exists(m.group(1), declared, recorded)) {
                    unknown.add(q.where() + ": " + m.group(1));
                }
            }
        }
        assertTrue(names >= 40, "metric names found in the queries: " + names);
        assertEquals(List.of(), unknown, "named in a query but declared nowhere");
    }

    @Test
    void theLiveCanaryRowShowsTheJudgeAndServing() throws Exception {
        Set<String> named = new TreeSet<>();
        for (Query q : queries()) {
            if (q.where().startsWith("livedpo.json / Live canary / ")) {
                Matcher m = NAMED.matcher(q.expr());
                while (m.find()) {
                    named.add(m.group(1));
                }
            }
        }
        assertTrue(named.containsAll(Set.of("livedpo_feedback_canary_candidate_version",
                "livedpo_feedback_canary_parent_version", "livedpo_feedback_canary_votes",
                "livedpo_feedback_canary_thumbs_up_ratio", "livedpo_feedback_canary_log_likelihood_ratio",
                "livedpo_feedback_canary_upper_bound", "livedpo_feedback_canary_lower_bound",
                "livedpo_feedback_canary_decisions_total", "livedpo_serving_canary_candidate_version",
                "livedpo_serving_canary_decisions_applied_total")), "the Live canary row names " + named);
    }

    @Test
    void aNameTheCodeDoesNotDeclareIsCaught() throws Exception {
        Set<String> declared = declaredMetrics();
        Set<String> recorded = recordingRules();
        assertTrue(exists("livedpo_serving_request_duration_seconds_bucket", declared, recorded));
        assertTrue(exists("livedpo_feedback_canary_decisions_total", declared, recorded));
        assertTrue(exists("livedpo:thumbs_up:ratio", declared, recorded));
        assertFalse(exists("livedpo_feedback_canary_decision_total", declared, recorded));
        assertFalse(exists("livedpo_serving_requests_totals", declared, recorded));
        assertFalse(exists("livedpo:thumbs_up:rate5m", declared, recorded));
    }

    static boolean exists(String name, Set<String> declared, Set<String> recorded) {
        if (name.contains(":")) {
            return recorded.contains(name);
        }
        for (String candidate : forms(name)) {
            if (declared.contains(candidate)) {
                return true;
            }
        }
        return false;
    }

    /** The name and what it is with Prometheus' suffixes taken off, one at a time, outermost first. */
    private static List<String> forms(String name) {
        List<String> forms = new ArrayList<>(List.of(name));
        String n = name;
        for (String s : SERIES_SUFFIXES) {
            if (n.endsWith(s)) {
                n = n.substring(0, n.length() - s.length());
                forms.add(n);
                break;
            }
        }
        if (n.endsWith("_total")) {
            n = n.substring(0, n.length() - "_total".length());
            forms.add(n);
        }
        for (String s : UNIT_SUFFIXES) {
            if (n.endsWith(s)) {
                forms.add(n.substring(0, n.length() - s.length()));
            }
        }
        return forms;
    }

    /** Every LiveDPO meter name literal in main sources, with dots as Prometheus writes them. */
    static Set<String> declaredMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String root : List.of("services", "libs")) {
            try (Stream<Path> files = Files.walk(Tools.HOME.resolve(root))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")
                        && p.toString().contains("/src/main/java/")).toList()) {
                    Matcher m = DECLARED.matcher(Files.readString(f));
                    while (m.find()) {
                        names.add(m.group(1).replace('.', '_'));
                    }
                }
            }
        }
        return names;
    }

    static Set<String> recordingRules() throws Exception {
        Set<String> names = new TreeSet<>();
        for (Path f : Tools.ruleFiles()) {
            for (JsonNode group : YAML.readTree(f.toFile()).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("record")) {
                        names.add(rule.path("record").asText());
                    }
                }
            }
        }
        return names;
    }

    record Query(String where, String expr) {
    }

    /** Every dashboard target's expr (where: file / row / panel) and every rule's expr (where: file / rule). */
    static List<Query> queries() throws Exception {
        List<Query> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = JSON.readTree(f.toFile());
                String row = "";
                for (JsonNode panel : dashboard.path("panels")) {
                    if (panel.path("type").asText().equals("row")) {
                        row = panel.path("title").asText();
                    }
                    for (JsonNode target : panel.path("targets")) {
                        queries.add(new Query(f.getFileName() + " / " + row + " / " + panel.path("title").asText(),
                                target.path("expr").asText()));
                    }
                }
                for (JsonNode variable : dashboard.path("templating").path("list")) {
                    if (variable.path("type").asText().equals("query")) {
                        queries.add(new Query(f.getFileName() + " / variable " + variable.path("name").asText(),
                                variable.path("query").asText()));
                    }
                }
            }
        }
        for (Path f : Tools.ruleFiles()) {
            for (JsonNode group : YAML.readTree(f.toFile()).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    queries.add(new Query(f.getFileName() + " / " + rule.path("record").asText(
                            rule.path("alert").asText()), rule.path("expr").asText()));
                }
            }
        }
        return queries;
    }
}
