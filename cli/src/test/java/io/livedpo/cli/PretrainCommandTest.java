package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PretrainCommandTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run livedpo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Livedpo.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    private static Path corpus(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append("User: What is ").append(i % 7).append(" + 1?\nAssistant: It is ").append(i % 7 + 1)
                    .append(".\n").append(CorpusFile.SEPARATOR).append('\n');
        }
        Path file = dir.resolve("corpus.txt");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void trainsAndWritesAModelDirectoryWithASummaryAndMetrics(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("model");
        Path metrics = tmp.resolve("metrics.jsonl");
        Run run = livedpo("pretrain", "--corpus", corpus(tmp).toString(), "--out", out.toString(),
                "--vocab-size", "280", "--layers", "1", "--embd", "16", "--heads", "2", "--context", "16",
                "--batch-size", "2", "--steps", "12", "--warmup", "100", "--metrics", metrics.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode summary = Json.MAPPER.readTree(run.out());
        assertEquals(40, summary.get("documents").asInt());
        assertEquals(12, summary.get("steps").asInt());
        assertEquals(280, summary.get("vocab_size").asInt());
        assertEquals(Files.size(out.resolve("model.safetensors")), summary.get("size_bytes").asLong());
        assertTrue(summary.get("tokens_per_second").asDouble() > 0);
        List<String> lines = Files.readAllLines(metrics);
        assertEquals(12, lines.size());
        assertEquals(12, Json.MAPPER.readTree(lines.get(11)).get("step").asInt());
        try (NDManager manager = NDManager.newBaseManager(); Gpt2Model model = Gpt2Model.load(out, manager);
             TextTokenizer tokenizer = TextTokenizer.load(out)) {
            assertEquals(16, model.config().contextLength());
            assertEquals("What is 3 + 1?", tokenizer.decode(tokenizer.encode("What is 3 + 1?")));
        }
    }

    @Test
    void badInputExitsWithTwoAndWritesNothing(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("model");
        Run missing = livedpo("pretrain", "--corpus", tmp.resolve("nope.txt").toString(), "--out", out.toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Run heads = livedpo("pretrain", "--corpus", corpus(tmp).toString(), "--out", out.toString(),
                "--embd", "30", "--heads", "4");
        assertEquals(2, heads.exitCode());
        assertFalse(Files.exists(out));
        Run exists = livedpo("pretrain", "--corpus", corpus(tmp).toString(), "--out", tmp.toString());
        assertEquals(2, exists.exitCode());
        assertTrue(exists.err().contains("already exists"), exists.err());
    }

    @Test
    void corpusDocumentsAreSplitOnEndOfTextLines(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("c.txt");
        Files.writeString(file, "first line\nsecond line\n<|endoftext|>\n\n  \n<|endoftext|>\nlast",
                StandardCharsets.UTF_8);
        assertEquals(List.of("first line\nsecond line", "last"), CorpusFile.read(file));
    }
}
