package io.livedpo.policy.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.generate.Generation;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our Llama-family forward against a float64 numpy transcription of HF's LlamaForCausalLM / Qwen2ForCausalLM
 * (tools/reference/llama_reference.py): GQA and MQA, both rope scalings, biases, tied and untied heads, BF16 shards.
 */
class LlamaModelTest {

    /** float32 against float64 over ≤40 positions. */
    static final double TOLERANCE = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();
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
    @ValueSource(strings = {"tiny-llama", "tiny-qwen2-bf16"})
    void logProbsMatchTheReference(String fixture) throws IOException {
        Path dir = Fixtures.ROOT.resolve(fixture);
        try (CausalLm model = CausalLm.load(dir, manager)) {
            assertInstanceOf(LlamaModel.class, model);
            Fixtures.assertLogProbsMatch(model, null, Fixtures.expected(dir), TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-qwen2-bf16"})
    void lastPositionLogitsMatchTheReference(String fixture) throws IOException {
        Path dir = Fixtures.ROOT.resolve(fixture);
        JsonNode logits = Fixtures.expected(dir).get("logits");
        long[] ids = Fixtures.longs(logits.get("ids"));
        double[] want = Fixtures.doubles(logits.get("last_position_logits"));
        try (CausalLm model = CausalLm.load(dir, manager); NDManager m = manager.newSubManager()) {
            NDArray input = m.create(ids, new Shape(1, ids.length));
            NDArray mask = m.ones(new Shape(1, ids.length), DataType.INT64);
            float[] got = model.forward(input, mask, null, null, true).toFloatArray(); // [1, 1, V]
            assertEquals(want.length, got.length);
            for (int v = 0; v < want.length; v++) {
                assertEquals(want[v], got[v], TOLERANCE, "logit " + v);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-qwen2-bf16"})
    void greedyWithKvCacheMatchesTheReferenceRecomputingEveryStep(String fixture) throws IOException {
        Path dir = Fixtures.ROOT.resolve(fixture);
        List<JsonNode> cases = Fixtures.list(Fixtures.expected(dir).get("greedy"));
        List<long[]> prompts = cases.stream().map(c -> Fixtures.longs(c.get("prompt_ids"))).toList();
        try (CausalLm model = CausalLm.load(dir, manager)) {
            Generator generator = new Generator(model, ids -> "");
            // Prompts of different lengths in one left-padded batch: rotary positions must skip the padding.
            List<Generation> batched = generator.generate(prompts,
                    Collections.nCopies(prompts.size(), SamplingParams.greedy(8)), null);
            for (int i = 0; i < cases.size(); i++) {
                assertArrayEquals(Fixtures.longs(cases.get(i).get("new_ids")), batched.get(i).ids(), "prompt " + i);
            }
        }
    }

    @Test
    void configIsReadWithHfKeysAndDefaults() throws IOException {
        try (LlamaModel llama = LlamaModel.load(Fixtures.TINY_LLAMA, manager);
             LlamaModel qwen = LlamaModel.load(Fixtures.TINY_QWEN2_BF16, manager)) {
            LlamaConfig l = llama.config();
            assertEquals(List.of(4, 2, 8, 2, 1), List.of(l.heads(), l.kvHeads(), l.headDim(), l.eosTokenId(),
                    l.bosTokenId()), "eos_token_id [2, 3] stops on its first id");
            assertTrue(l.qkvBias() && l.oBias() && !l.tieWordEmbeddings());
            assertEquals("llama3", l.ropeScaling().type());
            LlamaConfig q = qwen.config();
            assertTrue(q.qkvBias() && !q.oBias() && q.tieWordEmbeddings());
            assertEquals(1, q.kvHeads());
            assertEquals(RopeScaling.linear(2.0), q.ropeScaling());
            // 7 projections per layer, named as PEFT addresses them.
            assertEquals(14, llama.projections().size());
            assertTrue(llama.projections().containsKey("model.layers.1.mlp.down_proj"));
            long stored = llama.weights().values().stream().mapToLong(a -> a.getShape().size()).sum();
            assertEquals(l.parameterCount(), stored);
        }
    }

    @Test
    void savedFilesLoadBackToTheSameModel(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("copy");
        Files.createDirectories(out);
        try (LlamaModel model = LlamaModel.load(Fixtures.TINY_QWEN2_BF16, manager)) {
            model.writeFiles(out, model.weights());
            assertEquals(model.config(), LlamaConfig.read(out.resolve("config.json")));
            try (CausalLm copy = CausalLm.load(out, manager)) {
                Fixtures.assertLogProbsMatch(copy, null, Fixtures.expected(Fixtures.TINY_QWEN2_BF16), TOLERANCE);
            }
        }
    }

    @Test
    void unsupportedConfigsAreRefusedByName(@TempDir Path tmp) throws IOException {
        assertRefused(tmp, "rope_scaling type 'yarn' is not supported",
                c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0));
        assertRefused(tmp, "sliding-window attention", c -> c.put("model_type", "mistral").put("sliding_window", 16)
                .put("attention_bias", false));
        assertRefused(tmp, "sliding-window attention", c -> c.put("model_type", "qwen2")
                .put("use_sliding_window", true).put("sliding_window", 16));
        assertRefused(tmp, "hidden_act 'gelu' is not supported", c -> c.put("hidden_act", "gelu"));
        assertRefused(tmp, "do not divide into 3 key/value heads", c -> c.put("num_key_value_heads", 3));
        assertRefused(tmp, "model_type 'gemma' is not supported", c -> c.put("model_type", "gemma"));
    }

    @Test
    void shardsMustHoldWhatTheIndexSays(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        for (Path f : Files.list(Fixtures.TINY_QWEN2_BF16).toList()) {
            Files.copy(f, dir.resolve(f.getFileName()));
        }
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        IOException e = assertThrows(IOException.class, () -> CausalLm.load(dir, manager));
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
    }

    private interface Edit {
        void apply(ObjectNode config);
    }

    private void assertRefused(Path tmp, String message, Edit edit) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "bad");
        ObjectNode config = (ObjectNode) JSON.readTree(Fixtures.TINY_LLAMA.resolve("config.json").toFile());
        edit.apply(config);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        Files.copy(Fixtures.TINY_LLAMA.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        IOException e = assertThrows(IOException.class, () -> CausalLm.load(dir, manager).close());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
