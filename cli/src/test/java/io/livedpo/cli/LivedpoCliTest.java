package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract on the tiny fixture model: JSON on stdout, exit 2 with one line for bad input. */
class LivedpoCliTest {

    static final Path FIXTURES = Path.of("../libs/policy/src/test/resources/fixtures");
    static final String MODEL = FIXTURES.resolve("tiny-gpt2").toString();
    static final String PEFT = FIXTURES.resolve("tiny-gpt2-lora").toString();

    @Test
    void tokenizePrintsIdsWithoutSpecialTokens() throws IOException {
        CliRun run = CliRun.of("tokenize", "--model", MODEL, "--text", "Hello, world!");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode expected = Json.MAPPER.readTree(FIXTURES.resolve("tiny-gpt2/expected.json").toFile())
                .get("tokenize").get(0);
        assertEquals(expected.get("ids"), run.json().get(0).get("ids"));
    }

    @Test
    void scoreMatchesTheReferenceWithAndWithoutAdapter(@TempDir Path tmp) throws IOException {
        JsonNode base = Json.MAPPER.readTree(FIXTURES.resolve("tiny-gpt2/expected.json").toFile()).get("cases");
        JsonNode tuned = Json.MAPPER.readTree(FIXTURES.resolve("tiny-gpt2-lora/expected.json").toFile()).get("cases");
        Path input = tmp.resolve("in.jsonl");
        StringBuilder lines = new StringBuilder();
        for (JsonNode c : base) {
            lines.append(Json.MAPPER.writeValueAsString(java.util.Map.of("prompt", c.get("prompt").asText(),
                    "completion", c.get("completion").asText()))).append('\n');
        }
        Files.writeString(input, lines);
        List<JsonNode> rows = CliRun.of("score", "--model", MODEL, "--input", input.toString(), "--batch-size", "4")
                .json();
        List<JsonNode> adapted = CliRun.of("score", "--model", MODEL, "--adapter", PEFT, "--input", input.toString())
                .json();
        assertEquals(base.size(), rows.size());
        for (int i = 0; i < base.size(); i++) {
            assertEquals(base.get(i).get("prompt_ids"), rows.get(i).get("prompt_ids"));
            assertEquals(base.get(i).get("completion_ids"), rows.get(i).get("completion_ids"));
            assertEquals(base.get(i).get("logprob").asDouble(), rows.get(i).get("logprob").asDouble(), 1e-3);
            assertEquals(tuned.get(i).get("logprob").asDouble(), adapted.get(i).get("logprob").asDouble(), 1e-3);
            assertEquals(rows.get(i).get("completion_ids").size(), rows.get(i).get("token_logprobs").size());
        }
    }

    @Test
    void generateIsReproducibleForASeed() {
        String[] args = {"generate", "--model", MODEL, "--prompt", "User: hi\nAssistant:", "--max-tokens", "6",
                "--temperature", "0.8", "--top-k", "50", "--top-p", "0.9", "--seed", "11"};
        CliRun first = CliRun.of(args);
        assertEquals(0, first.exitCode(), first.err());
        assertEquals(first.out(), CliRun.of(args).out());
        JsonNode g = first.json().get(0);
        assertTrue(g.get("ids").size() <= 6);
        assertTrue(List.of("stop", "length").contains(g.get("finish_reason").asText()));
        assertTrue(g.has("text"));
    }

    @Test
    void bothEnginesGenerateTheSameTokensAndSayWhichRan() {
        for (String temperature : List.of("0", "0.8")) {
            String[] args = {"generate", "--model", MODEL, "--prompt", "User: hi\nAssistant:", "--max-tokens", "8",
                    "--temperature", temperature, "--top-p", "0.9", "--seed", "5", "--engine", "torch"};
            CliRun torch = CliRun.of(args);
            args[args.length - 1] = "java";
            CliRun java = CliRun.of(args);
            assertEquals(0, java.exitCode(), java.err());
            assertEquals("torch", torch.json().get(0).get("engine").asText());
            assertEquals("java", java.json().get(0).get("engine").asText());
            assertEquals(torch.json().get(0).get("ids"), java.json().get(0).get("ids"), "temperature " + temperature);
        }
        CliRun wrong = CliRun.of("generate", "--model", MODEL, "--prompt", "x", "--engine", "tpu");
        assertEquals(2, wrong.exitCode());
        assertTrue(wrong.err().contains("torch or java"), wrong.err());
    }

    @Test
    void scoreWithTheBf16BaseStaysCloseToF32AndAWrongPrecisionIsAUsageError(@TempDir Path tmp) throws IOException {
        Path input = tmp.resolve("in.jsonl");
        Files.writeString(input, "{\"prompt\":\"User: hi\\nAssistant:\",\"completion\":\" Hello there, how are you?\"}\n");
        CliRun f32 = CliRun.of("score", "--model", MODEL, "--input", input.toString());
        CliRun bf16 = CliRun.of("score", "--model", MODEL, "--input", input.toString(), "--base-precision", "bf16");
        assertEquals(0, bf16.exitCode(), bf16.err());
        double a = f32.json().get(0).get("logprob").asDouble();
        double b = bf16.json().get(0).get("logprob").asDouble();
        assertNotEquals(a, b, "bf16 weights give (slightly) different log-probs");
        assertEquals(a, b, 0.05);
        CliRun wrong = CliRun.of("generate", "--model", MODEL, "--prompt", "x", "--base-precision", "int4");
        assertEquals(2, wrong.exitCode());
        assertTrue(wrong.err().contains("f32 or bf16"), wrong.err());
    }

    @Test
    void generateRepeatTimesTheSameGeneration() {
        String[] plain = {"generate", "--model", MODEL, "--prompt", "User: hi\nAssistant:", "--max-tokens", "6",
                "--temperature", "0", "--seed", "3"};
        CliRun once = CliRun.of(plain);
        String[] timedArgs = java.util.Arrays.copyOf(plain, plain.length + 2);
        timedArgs[plain.length] = "--repeat";
        timedArgs[plain.length + 1] = "2";
        CliRun timed = CliRun.of(timedArgs);
        assertEquals(0, timed.exitCode(), timed.err());
        JsonNode g = timed.json().get(0);
        // The timed runs repeat the same generation: same ids as without --repeat, and the timing fields beside them.
        assertEquals(once.json().get(0).get("ids"), g.get("ids"));
        assertFalse(once.json().get(0).has("seconds"));
        assertTrue(g.get("seconds").asDouble() > 0, g.toString());
        assertEquals(g.get("ids").size() / g.get("seconds").asDouble(), g.get("tokens_per_second").asDouble(), 1e-6);
        assertTrue(g.get("prompt_tokens").asInt() > 0, g.toString());
        assertEquals(2, CliRun.of("generate", "--model", MODEL, "--prompt", "x", "--repeat", "-1").exitCode());
    }

    @Test
    void trainWritesACheckpointThatInspectScoreAndExportUse(@TempDir Path tmp) throws IOException {
        Path pairs = tmp.resolve("pairs.jsonl");
        Files.writeString(pairs, """
                {"prompt":"User: What is 2 + 2?\\nAssistant:","chosen":" 4.","rejected":" I don't care."}
                {"prompt":[{"role":"user","content":"Hello, I am Ana."}],"chosen":[{"role":"assistant","content":"Hello Ana!"}],"rejected":[{"role":"assistant","content":"Go away."}]}

                {"prompt":"User: Is the sun hot?\\nAssistant:","chosen":" Yes, it is.","rejected":" No."}
                """);
        Path out = tmp.resolve("adapter");
        Path metrics = tmp.resolve("metrics.jsonl");
        CliRun train = CliRun.of("train", "--model", MODEL, "--pairs", pairs.toString(), "--out", out.toString(),
                "--steps", "6", "--batch-size", "2", "--lr", "5e-3", "--warmup", "2", "--lora-rank", "4",
                "--metrics", metrics.toString());
        assertEquals(0, train.exitCode(), train.err());
        JsonNode summary = train.json().get(0);
        assertEquals(1, summary.get("version").asLong());
        assertEquals(6, summary.get("steps").asLong());
        List<String> metricLines = Files.readAllLines(metrics);
        assertEquals(6, metricLines.size());
        JsonNode step = Json.MAPPER.readTree(metricLines.get(5));
        for (String key : List.of("step", "loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
                "rewards/margins", "logps/chosen", "logps/rejected", "grad_norm")) {
            assertTrue(step.has(key), key + " in " + step);
        }

        JsonNode meta = CliRun.of("inspect", out.toString()).json().get(0);
        assertEquals(1, meta.get("version").asLong());
        assertEquals(0, meta.get("parentVersion").asLong());
        assertEquals(12, meta.get("pairsTrained").asLong());
        assertTrue(meta.get("baseModel").asText().startsWith("sha256:"));

        // A second round continues from the first and records it as the parent.
        Path second = tmp.resolve("adapter-2");
        CliRun again = CliRun.of("train", "--model", MODEL, "--pairs", pairs.toString(), "--out", second.toString(),
                "--init-adapter", out.toString(), "--epochs", "1", "--batch-size", "3");
        assertEquals(0, again.exitCode(), again.err());
        JsonNode meta2 = CliRun.of("inspect", second.toString()).json().get(0);
        assertEquals(2, meta2.get("version").asLong());
        assertEquals(1, meta2.get("parentVersion").asLong());
        assertEquals(15, meta2.get("pairsTrained").asLong());

        Path merged = tmp.resolve("merged");
        CliRun export = CliRun.of("export", "--model", MODEL, "--adapter", out.toString(), "--out", merged.toString());
        assertEquals(0, export.exitCode(), export.err());
        assertTrue(Files.isRegularFile(merged.resolve("tokenizer.json")));
        Path input = tmp.resolve("score.jsonl");
        Files.writeString(input, "{\"prompt\":\"User: What is 2 + 2?\\nAssistant:\",\"completion\":\" 4.\"}\n");
        double viaAdapter = CliRun.of("score", "--model", MODEL, "--adapter", out.toString(), "--input",
                input.toString()).json().get(0).get("logprob").asDouble();
        double viaMerged = CliRun.of("score", "--model", merged.toString(), "--input", input.toString()).json().get(0)
                .get("logprob").asDouble();
        double viaBase = CliRun.of("score", "--model", MODEL, "--input", input.toString()).json().get(0)
                .get("logprob").asDouble();
        assertEquals(viaAdapter, viaMerged, 1e-3);
        assertNotEquals(viaBase, viaAdapter, 1e-4);
    }

    @Test
    void missingFileExitsTwoNamingIt(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope.jsonl");
        CliRun run = CliRun.of("score", "--model", MODEL, "--input", missing.toString());
        assertEquals(2, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains(missing.toString()), run.err());
        assertEquals("", run.out());
        CliRun noModel = CliRun.of("tokenize", "--model", tmp.resolve("none").toString(), "--text", "x");
        assertEquals(2, noModel.exitCode());
        assertTrue(noModel.err().contains("none"), noModel.err());
    }

    @Test
    void badJsonLineExitsTwoWithFileAndLine(@TempDir Path tmp) throws IOException {
        Path pairs = tmp.resolve("pairs.jsonl");
        Files.writeString(pairs, "{\"prompt\":\"a\",\"chosen\":\" b\",\"rejected\":\" c\"}\n{not json\n");
        CliRun run = CliRun.of("train", "--model", MODEL, "--pairs", pairs.toString(), "--out",
                tmp.resolve("o").toString(), "--steps", "1");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains(pairs + ":2:"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(Files.exists(tmp.resolve("o")));

        Files.writeString(pairs, "{\"prompt\":\"a\",\"chosen\":\" b\"}\n");
        CliRun missingField = CliRun.of("train", "--model", MODEL, "--pairs", pairs.toString(), "--out",
                tmp.resolve("o").toString());
        assertEquals(2, missingField.exitCode());
        assertTrue(missingField.err().contains(pairs + ":1: field 'rejected'"), missingField.err());
    }

    @Test
    void badOptionsAndTooLongInputAreExitTwo(@TempDir Path tmp) throws IOException {
        assertEquals(2, CliRun.of("train", "--model", MODEL).exitCode()); // missing required options
        assertEquals(2, CliRun.of("generate", "--model", MODEL, "--prompt", "x", "--top-p", "0").exitCode());
        Path input = tmp.resolve("long.jsonl");
        Files.writeString(input, "{\"prompt\":\"" + "word ".repeat(80) + "\",\"completion\":\" x\"}\n");
        CliRun run = CliRun.of("score", "--model", MODEL, "--input", input.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains(":1:") && run.err().contains("context of 64"), run.err());
        CliRun inspect = CliRun.of("inspect", FIXTURES.resolve("tiny-gpt2-lora").toString());
        assertEquals(2, inspect.exitCode());
        assertTrue(inspect.err().contains("livedpo.json"), inspect.err());
    }
}
