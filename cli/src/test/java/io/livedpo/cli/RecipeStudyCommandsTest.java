package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.events.EventJson;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipe study's two harnesses on the tiny fixture: a recorded pairs topic replayed, and the loop simulated. */
class RecipeStudyCommandsTest {

    @Test
    void replayTrainsTheRecordedPairsInOrderAndEvaluatesEveryNPairs(@TempDir Path tmp) throws IOException {
        Path pairs = tmp.resolve("livedpo.pairs.v1.jsonl");
        List<String> lines = new ArrayList<>();
        // Answers' versions as a lagging replica would serve them: pairs 4 and 5 come from v1 after v3 was seen.
        long[] versions = {0, 0, 3, 3, 1, 1, 3, 3, 3, 3};
        for (int i = 0; i < versions.length; i++) {
            lines.add(EventJson.MAPPER.writeValueAsString(pair("default", i, versions[i])));
        }
        lines.add(EventJson.MAPPER.writeValueAsString(pair("other-policy", 99, 0)));
        Files.write(pairs, lines);

        CliRun run = CliRun.of("replay", "--model", LivedpoCliTest.MODEL, "--pairs", pairs.toString(),
                "--batch-size", "2", "--eval-every", "4", "--eval", "3", "--lora-rank", "4", "--lr", "1e-2",
                "--steps-per-batch", "2", "--label", "t");
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> rows = run.json();
        assertEquals(List.of(0, 4, 8, 10), rows.stream().map(r -> r.get("pairs").asInt()).toList(),
                "the base, every 4 pairs, and the end; the other policy's pair is not replayed");
        assertEquals(10, rows.get(3).get("steps").asInt(), "5 batches, 2 steps each");
        assertEquals(0.0, rows.get(0).get("kl").asDouble(), "the base is the reference");
        assertTrue(rows.get(3).get("kl").asDouble() != 0.0, "the trained policy moved");
        for (JsonNode r : rows) {
            double up = r.get("thumbs_up").asDouble();
            assertTrue(up > 0 && up < 1, r.toString());
            assertEquals("t", r.get("label").asText());
            assertEquals(3, r.get("eval_prompts").asInt());
        }

        CliRun fresh = CliRun.of("replay", "--model", LivedpoCliTest.MODEL, "--pairs", pairs.toString(),
                "--batch-size", "2", "--eval-every", "100", "--eval", "2", "--lora-rank", "4",
                "--max-staleness", "0", "--lora-targets", "attn.c_attn");
        assertEquals(0, fresh.exitCode(), fresh.err());
        JsonNode end = fresh.json().get(fresh.json().size() - 1);
        assertEquals("[\"attn.c_attn\"]", end.get("lora_targets").toString());
        assertEquals("[\"all\"]", rows.get(0).get("lora_targets").toString(), "by default every projection");
        assertEquals(2, end.get("stale_dropped").asInt(), "the two v1 pairs came after v3");
        assertEquals(8, end.get("pairs").asInt());
    }

    @Test
    void replayRefusesAFileWithoutThePolicysPairs(@TempDir Path tmp) throws IOException {
        Path pairs = tmp.resolve("pairs.jsonl");
        Files.writeString(pairs, EventJson.MAPPER.writeValueAsString(pair("other", 1, 0)) + "\n");
        CliRun run = CliRun.of("replay", "--model", LivedpoCliTest.MODEL, "--pairs", pairs.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("no pairs of policy 'default'"), run.err());
    }

    /** The demo model: the simulated users' prompts do not fit the tiny fixture's 64-token context. */
    @Test
    void simulateOfflineRunsVersionsOnPolicyAndEvaluates() {
        CliRun run = CliRun.of("simulate-offline", "--model", "../models/demo", "--max-pairs", "8",
                "--pairs-per-version", "4", "--batch-size", "2", "--eval-every", "4", "--eval", "2",
                "--lora-rank", "4", "--adversarial-share", "0.2");
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> rows = run.json();
        assertEquals(List.of(0, 4, 8), rows.stream().map(r -> r.get("pairs").asInt()).toList());
        assertEquals(List.of(0, 1, 2), rows.stream().map(r -> r.get("versions").asInt()).toList());
        assertEquals(0.2, rows.get(2).get("adversarial_share").asDouble());
        assertTrue(Double.isFinite(rows.get(2).get("kl").asDouble()));
    }

    /** Single thumbs votes beside the pairs: counted in the vote budget, trained only with a KTO weight. */
    @Test
    void simulateOfflineCastsSingleThumbsAndTrainsThemOnlyWithAWeight() {
        String[] common = {"simulate-offline", "--model", "../models/demo", "--max-pairs", "8",
                "--pairs-per-version", "4", "--batch-size", "2", "--eval-every", "8", "--eval", "4", "--lora-rank", "4"};
        CliRun kto = CliRun.of(concat(common, "--single-thumbs-share", "0.5", "--unpaired-weight", "1"));
        assertEquals(0, kto.exitCode(), kto.err());
        JsonNode last = kto.json().get(kto.json().size() - 1);
        assertEquals(8, last.get("pairs").asInt());
        assertEquals(8, last.get("single_votes").asInt(), "4 pairs a version at share 0.5: 4 singles");
        assertEquals(16, last.get("votes").asInt());
        assertTrue(last.get("singles_trained").asInt() > 0, last.toString());

        // Ignored singles leave the pairs' stream as it was: the same policy as a run without any.
        CliRun ignored = CliRun.of(concat(common, "--single-thumbs-share", "0.5"));
        CliRun without = CliRun.of(common);
        assertEquals(0, ignored.exitCode(), ignored.err());
        JsonNode a = ignored.json().get(ignored.json().size() - 1);
        JsonNode b = without.json().get(without.json().size() - 1);
        assertEquals(0, a.get("singles_trained").asInt());
        assertEquals(b.get("kl").asDouble(), a.get("kl").asDouble(), 1e-9);
        assertEquals(b.get("thumbs_up").asDouble(), a.get("thumbs_up").asDouble(), 1e-9);
        assertNotEquals(b.get("kl").asDouble(), last.get("kl").asDouble(), "the trained singles moved the policy");

        assertNotEquals(0, CliRun.of(concat(common, "--single-thumbs-share", "1")).exitCode());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The frontier of the demo model: best-of-m rises with m, the tilted policy's KL and thumbs-up fall with β. */
    @Test
    void frontierPrintsBestOfAndTiltedPointsOrderedByKl() {
        CliRun run = CliRun.of("frontier", "--model", "../models/demo", "--samples", "4", "--prompts", "3",
                "--beta", "0.5,2");
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> rows = run.json();
        assertEquals(List.of("best-of", "best-of", "best-of", "tilted", "tilted"),
                rows.stream().map(r -> r.get("kind").asText()).toList());
        assertEquals(List.of(1.0, 2.0, 4.0), rows.subList(0, 3).stream().map(r -> r.get("m").asDouble()).toList());
        for (int i = 1; i < 3; i++) {
            assertTrue(rows.get(i).get("thumbs_up").asDouble() >= rows.get(i - 1).get("thumbs_up").asDouble(),
                    "best of more answers is no worse: " + rows);
        }
        JsonNode sharp = rows.get(3);
        JsonNode flat = rows.get(4);
        assertTrue(sharp.get("kl").asDouble() >= flat.get("kl").asDouble(), rows.toString());
        assertTrue(sharp.get("kl").asDouble() <= Math.log(4) + 1e-9, "capped by the samples: " + sharp);
        assertTrue(sharp.get("thumbs_up").asDouble() >= flat.get("thumbs_up").asDouble(), rows.toString());
    }

    /** The base judged per task family: every prompt in exactly one family, shares in [0, 1], no KL from itself. */
    @Test
    void evaluateScoresEachTaskFamily() {
        CliRun run = CliRun.of("evaluate", "--model", "../models/demo", "--eval", "12");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode row = run.json().get(0);
        assertEquals(0.0, row.get("kl").asDouble(), "the base is the reference");
        assertEquals(12, row.get("eval_prompts").asInt());
        int prompts = 0;
        double weighted = 0;
        for (JsonNode family : (Iterable<JsonNode>) () -> row.get("families").elements()) {
            prompts += family.get("prompts").asInt();
            weighted += family.get("prompts").asInt() * family.get("thumbs_up").asDouble();
            double correct = family.get("correct").asDouble();
            double wrong = family.get("wrong").asDouble();
            assertTrue(correct >= 0 && wrong >= 0 && correct + wrong <= 1, family.toString());
        }
        assertEquals(12, prompts, row.toString());
        assertEquals(row.get("thumbs_up").asDouble(), weighted / 12, 1e-9, "the families make up the whole");

        CliRun missing = CliRun.of("evaluate", "--model", "../models/demo", "--adapter", "no-such-dir");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("no-such-dir"), missing.err());
    }

    private static PreferencePair pair(String policy, int i, long version) {
        String a = "r-" + i + "-a";
        String b = "r-" + i + "-b";
        Instant at = Instant.parse("2026-12-01T00:00:00Z").plusSeconds(i);
        return new PreferencePair(PreferencePair.SCHEMA, PreferencePair.idOf(a, b), policy,
                List.of(new PromptMessage("user", "What is " + i + " + 1?")), (i + 1) + ".", "No idea.", a, b,
                version, version, PairSource.PAIRWISE, at, at);
    }
}
