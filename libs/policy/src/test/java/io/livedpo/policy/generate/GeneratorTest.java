package io.livedpo.policy.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.policy.Fixtures;
import io.livedpo.policy.model.Gpt2Model;
import io.livedpo.policy.tokenizer.TextTokenizer;
import io.livedpo.policy.tokenizer.TokenDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

    private static NDManager manager;
    private static Gpt2Model model;
    private static TextTokenizer tokenizer;
    private static Generator generator;

    @TempDir
    Path temp;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        model = Gpt2Model.load(Fixtures.TINY, manager);
        tokenizer = TextTokenizer.load(Fixtures.TINY);
        generator = new Generator(model, tokenizer);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        manager.close();
    }

    @Test
    void greedyWithKvCacheMatchesTheReferenceRecomputingEveryStep() {
        List<JsonNode> cases = Fixtures.list(Fixtures.expected(Fixtures.TINY).get("greedy"));
        List<long[]> prompts = cases.stream().map(c -> Fixtures.longs(c.get("prompt_ids"))).toList();
        List<SamplingParams> params = Collections.nCopies(prompts.size(), SamplingParams.greedy(8));
        // Prompts of different lengths in one left-padded batch, and each alone.
        List<Generation> batched = generator.generate(prompts, params, null);
        for (int i = 0; i < cases.size(); i++) {
            long[] want = Fixtures.longs(cases.get(i).get("new_ids"));
            assertArrayEquals(want, batched.get(i).ids(), "batched prompt " + i);
            assertArrayEquals(want, generator.generate(List.of(prompts.get(i)), List.of(params.get(i)), null)
                    .get(0).ids(), "alone prompt " + i);
            assertEquals(Generation.LENGTH, batched.get(i).finishReason());
        }
    }

    @Test
    void sameSeedSameTextAlsoWhenBatchedDifferentSeedDifferentText() {
        long[] prompt = tokenizer.encode("How do I boil an egg?");
        SamplingParams p = new SamplingParams(1.0f, 0, 1.0f, 20, 42L, List.of());
        Generation alone = generator.generate(List.of(prompt), List.of(p), null).get(0);
        Generation again = generator.generate(List.of(prompt), List.of(p), null).get(0);
        assertArrayEquals(alone.ids(), again.ids());
        List<Generation> batch = generator.generate(
                List.of(tokenizer.encode("Hi"), prompt, tokenizer.encode("What is 2 + 2? Tell me.")),
                List.of(p.withSeed(7), p, p.withSeed(9)), null);
        assertArrayEquals(alone.ids(), batch.get(1).ids());
        List<long[]> others = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            others.add(generator.generate(List.of(prompt), List.of(p.withSeed(seed)), null).get(0).ids());
        }
        assertTrue(others.stream().anyMatch(ids -> !java.util.Arrays.equals(ids, alone.ids())),
                "five other seeds all gave the same text");
    }

    @Test
    void stopsAtEosAndAtStopStrings() throws IOException {
        long[] prompt = tokenizer.encode("Hello");
        // Top-k 1 with the stop string set to the first generated text's prefix: stops there, text cut before it.
        Generation free = generator.generate(List.of(prompt), List.of(SamplingParams.greedy(12)), null).get(0);
        String stop = free.text().substring(Math.min(2, free.text().length() - 1));
        assertFalse(stop.isEmpty());
        SamplingParams withStop = new SamplingParams(0f, 0, 1f, 12, 0L, List.of(stop));
        Generation stopped = generator.generate(List.of(prompt), List.of(withStop), null).get(0);
        assertEquals(Generation.STOP, stopped.finishReason());
        assertEquals(free.text().substring(0, free.text().indexOf(stop)), stopped.text());
        assertTrue(stopped.ids().length <= free.ids().length);

        // EOS: the same weights with config.json naming a token the free run writes as EOS stop right before it.
        int k = firstRepeatFree(free.ids());
        assertTrue(k < free.ids().length, "the free run repeats a single token: " + Arrays.toString(free.ids()));
        long eos = free.ids()[k];
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2Model withEos = Gpt2Model.load(withEosToken(eos), m);
            Generation ended = new Generator(withEos, tokenizer).generate(List.of(prompt),
                    List.of(SamplingParams.greedy(12)), null).get(0);
            assertEquals(Generation.STOP, ended.finishReason());
            assertArrayEquals(Arrays.copyOf(free.ids(), k), ended.ids(), "stops before EOS, which is not returned");
        }
    }

    /** The first index from 1 whose token did not occur before it (so EOS there cannot stop the run earlier). */
    private static int firstRepeatFree(long[] ids) {
        for (int k = 1; k < ids.length; k++) {
            long id = ids[k];
            if (Arrays.stream(ids, 0, k).noneMatch(x -> x == id)) {
                return k;
            }
        }
        return ids.length;
    }

    /** The tiny fixture with another eos_token_id: same weights, same math. */
    private Path withEosToken(long eos) throws IOException {
        Path dir = Files.createDirectories(temp.resolve("eos-" + eos));
        try (var files = Files.list(Fixtures.TINY)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName().toString()));
            }
        }
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        config.put("eos_token_id", eos);
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    @Test
    void contextLimitsTheLengthAndAFullPromptIsRefused() {
        long[] longPrompt = new long[60];
        Generation g = generator.generate(List.of(longPrompt), List.of(SamplingParams.greedy(50)), null).get(0);
        assertTrue(g.ids().length <= 4, "64-token context leaves 4 new tokens, got " + g.ids().length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> generator.generate(List.of(new long[64]), List.of(SamplingParams.greedy(5)), null));
        assertTrue(e.getMessage().contains("64 tokens"), e.getMessage());
    }

    @Test
    void topKOneIsGreedyAndTemperatureChangesSamples() {
        long[] prompt = tokenizer.encode("Tell me about");
        Generation greedy = generator.generate(List.of(prompt), List.of(SamplingParams.greedy(10)), null).get(0);
        Generation topOne = generator.generate(List.of(prompt),
                List.of(new SamplingParams(0.7f, 1, 1f, 10, 3L, List.of())), null).get(0);
        assertArrayEquals(greedy.ids(), topOne.ids());
        Generation nucleusTiny = generator.generate(List.of(prompt),
                List.of(new SamplingParams(1f, 0, 1e-6f, 10, 3L, List.of())), null).get(0);
        assertArrayEquals(greedy.ids(), nucleusTiny.ids(), "top_p ~0 keeps only the most likely token");
        Generation hot = generator.generate(List.of(prompt),
                List.of(new SamplingParams(5f, 0, 1f, 10, 3L, List.of())), null).get(0);
        assertNotEquals(java.util.Arrays.toString(greedy.ids()), java.util.Arrays.toString(hot.ids()));
    }

    @Test
    void streamedTextAddsUpToTheFinalTextAndNeverLeaksAStopString() {
        long[] prompt = tokenizer.encode("User: Tell me about cats.\nAssistant:");
        Generation free = generator.generate(List.of(prompt), List.of(SamplingParams.greedy(16)), null).get(0);
        String stop = free.text().substring(free.text().length() / 2, free.text().length() / 2 + 2);
        List<SamplingParams> params = List.of(new SamplingParams(0f, 0, 1f, 16, 0L, List.of(stop)),
                new SamplingParams(0.9f, 0, 1f, 16, 5L, List.of()));
        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder()};
        List<Generation> out = generator.generate(List.of(prompt, prompt), params, null,
                (row, delta) -> streamed[row].append(delta));
        for (int i = 0; i < 2; i++) {
            assertEquals(out.get(i).text(), streamed[i].toString(), "row " + i);
        }
        assertEquals(Generation.STOP, out.get(0).finishReason());
        assertFalse(streamed[0].toString().contains(stop));
    }

    @Test
    void stopsOnAnyTokenTheTokenizerNamesAsAStop() {
        long[] prompt = tokenizer.encode("How do I make tea?");
        long[] free = generator.generate(List.of(prompt), List.of(SamplingParams.greedy(8)), null).get(0).ids();
        int k = 1;
        while (k < free.length && contains(java.util.Arrays.copyOf(free, k), free[k])) {
            k++;
        }
        assertTrue(k < free.length, "greedy text repeats one token only");
        long stop = free[k];
        TokenDecoder withStop = new TokenDecoder() {
            @Override
            public String decode(long[] ids) {
                return tokenizer.decode(ids);
            }

            @Override
            public Set<Long> stopIds() {
                return Set.of(stop);
            }
        };
        Generation g = new Generator(model, withStop).generate(List.of(prompt), List.of(SamplingParams.greedy(8)),
                null).get(0);
        assertArrayEquals(java.util.Arrays.copyOf(free, k), g.ids(), "the stop token ends it and is not emitted");
        assertEquals(Generation.STOP, g.finishReason());
    }

    private static boolean contains(long[] ids, long id) {
        return java.util.Arrays.stream(ids).anyMatch(x -> x == id);
    }
}
