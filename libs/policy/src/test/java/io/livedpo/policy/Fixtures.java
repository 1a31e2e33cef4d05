package io.livedpo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny GPT-2 fixtures made by tools/reference/make_fixtures.py: HF-layout models plus the log-probs, greedy
 * continuations and token ids a numpy re-implementation of HF's GPT2LMHeadModel and BPE tokenizer computed for them.
 */
public final class Fixtures {

    public static final Path ROOT = Path.of("src/test/resources/fixtures");
    public static final Path TINY = ROOT.resolve("tiny-gpt2");
    public static final Path TINY_F16 = ROOT.resolve("tiny-gpt2-noprefix-f16");
    public static final Path TINY_BF16 = ROOT.resolve("tiny-gpt2-bf16");
    public static final Path TINY_LORA = ROOT.resolve("tiny-gpt2-lora");
    /** tools/reference/make_llama_fixtures.py: token ids only, no tokenizer. */
    public static final Path TINY_LLAMA = ROOT.resolve("tiny-llama");
    public static final Path TINY_QWEN2_BF16 = ROOT.resolve("tiny-qwen2-bf16");
    public static final Path TINY_LLAMA_LORA = ROOT.resolve("tiny-llama-lora");

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    public static JsonNode expected(Path dir) {
        try {
            return JSON.readTree(dir.resolve("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    /**
     * Scores every case of {@code expected} in one padded batch of different lengths (so padding must not leak into
     * any sequence) and checks each token's log-prob, and their sum, against the reference.
     */
    public static void assertLogProbsMatch(CausalLm model, LoraAdapter adapter, JsonNode expected, double tolerance) {
        List<JsonNode> cases = list(expected.get("cases"));
        List<PromptCompletion> items = cases.stream()
                .map(c -> new PromptCompletion(longs(c.get("prompt_ids")), longs(c.get("completion_ids"))))
                .toList();
        List<ScoredCompletion> scored = new Scorer(model).score(items, adapter, items.size());
        for (int i = 0; i < cases.size(); i++) {
            double[] want = doubles(cases.get(i).get("token_logprobs"));
            float[] got = scored.get(i).tokenLogprobs();
            assertEquals(want.length, got.length, "case " + i);
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], got[j], tolerance, "case " + i + " token " + j);
            }
            assertEquals(cases.get(i).get("logprob").asDouble(), scored.get(i).logprob(), tolerance * want.length);
        }
    }

    public static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
