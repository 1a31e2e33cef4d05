package io.livedpo.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.Scorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our forward pass against a float64 numpy transcription of HF's GPT2LMHeadModel (tools/reference). */
class Gpt2ModelTest {

    /** float32 against float64 over ≤56 positions: the reference measured ~2e-6 drift; F16 rounding moves 3e-3. */
    private static final double TOLERANCE = 1e-4;

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-gpt2-noprefix-f16", "tiny-gpt2-bf16"})
    void logProbsMatchTheReference(String fixture) throws IOException {
        Path dir = Fixtures.ROOT.resolve(fixture);
        JsonNode expected = Fixtures.expected(dir);
        try (Gpt2Model model = Gpt2Model.load(dir, manager)) {
            Fixtures.assertLogProbsMatch(model, null, expected, TOLERANCE);
        }
    }

    @Test
    void lastPositionLogitsMatchTheReference() throws IOException {
        JsonNode logits = Fixtures.expected(Fixtures.TINY).get("logits");
        long[] ids = Fixtures.longs(logits.get("ids"));
        double[] want = Fixtures.doubles(logits.get("last_position_logits"));
        try (Gpt2Model model = Gpt2Model.load(Fixtures.TINY, manager); NDManager m = manager.newSubManager()) {
            NDArray input = m.create(ids, new Shape(1, ids.length));
            NDArray mask = m.ones(new Shape(1, ids.length), ai.djl.ndarray.types.DataType.INT64);
            NDArray out = model.forward(input, mask, null, null, true); // [1, 1, V]
            assertEquals(new Shape(1, 1, want.length), out.getShape());
            float[] got = out.toFloatArray();
            for (int v = 0; v < want.length; v++) {
                assertEquals(want[v], got[v], TOLERANCE, "logit " + v);
            }
        }
    }

    @Test
    void savedModelLoadsBackWithTheSameLogProbs(@TempDir Path tmp) throws IOException {
        JsonNode c = Fixtures.expected(Fixtures.TINY).get("cases").get(3);
        PromptCompletion item = new PromptCompletion(Fixtures.longs(c.get("prompt_ids")),
                Fixtures.longs(c.get("completion_ids")));
        Path saved = tmp.resolve("saved");
        float[] before;
        try (Gpt2Model model = Gpt2Model.load(Fixtures.TINY_BF16, manager)) {
            before = new Scorer(model).score(List.of(item), null, 1).get(0).tokenLogprobs();
            model.save(saved);
        }
        assertTrue(Files.isRegularFile(saved.resolve("config.json")));
        try (Gpt2Model reloaded = Gpt2Model.load(saved, manager)) {
            assertArrayEquals(before, new Scorer(reloaded).score(List.of(item), null, 1).get(0).tokenLogprobs());
            assertEquals(Gpt2Config.read(Fixtures.TINY.resolve("config.json")), reloaded.config());
        }
    }

    @Test
    void sequenceLongerThanTheContextIsAClearError() throws IOException {
        try (Gpt2Model model = Gpt2Model.load(Fixtures.TINY, manager)) {
            PromptCompletion tooLong = new PromptCompletion(new long[60], new long[10]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Scorer(model).score(List.of(tooLong), null, 1));
            assertTrue(e.getMessage().contains("70 tokens"), e.getMessage());
            assertTrue(e.getMessage().contains("context is 64"), e.getMessage());
        }
    }

    @Test
    void missingFilesAndUnsupportedConfigsAreClearErrors(@TempDir Path tmp) throws IOException {
        IOException missing = assertThrows(IOException.class, () -> Gpt2Model.load(tmp, manager));
        assertTrue(missing.getMessage().contains("config.json"), missing.getMessage());
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\":\"llama\"}");
        IOException wrongType = assertThrows(IOException.class,
                () -> Gpt2Config.read(tmp.resolve("config.json")));
        assertTrue(wrongType.getMessage().contains("llama"), wrongType.getMessage());
    }
}
