package io.livedpo.policy.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.policy.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    private static final String[] WORDS = {"the", "cat", "sat", "on", "mat", "and", "a", "dog", "ran", "café",
            "naïve", "東京", "straße", "it's", "we'll", "42", "3.14", "🙂", "hello", "world"};
    private static final int VOCAB = 320;

    private static List<String> corpus;
    private static BpeVocabulary vocab;

    @BeforeAll
    static void train() {
        // Zipf-like: early words are much more frequent, as in real text.
        SplittableRandom rng = new SplittableRandom(11);
        corpus = new ArrayList<>();
        for (int d = 0; d < 300; d++) {
            StringBuilder sb = new StringBuilder();
            int n = 5 + rng.nextInt(20);
            for (int i = 0; i < n; i++) {
                int w = (int) Math.min(WORDS.length - 1, Math.floor(Math.pow(rng.nextDouble(), 2.5) * WORDS.length));
                sb.append(i == 0 ? "" : rng.nextInt(10) == 0 ? ",\n" : " ").append(WORDS[w]);
            }
            corpus.add(sb.append('.').toString());
        }
        vocab = BpeTrainer.train(corpus, VOCAB);
    }

    @Test
    void loadsInHuggingFaceTokenizersAndRoundTripsExactly(@TempDir Path dir) throws IOException {
        vocab.writeFiles(dir, 64);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            for (String text : List.of("the cat sat on the mat.", "  leading spaces\tand\ttabs\n\n",
                    "unseen words: zebra QUIZ xylophone!?", "café naïve straße 東京 🙂 Ωμέγα ✓",
                    "it's we'll they'd 1234567 3.14159")) {
                long[] ids = tokenizer.encode(text);
                assertEquals(text, tokenizer.decode(ids), "round trip of '" + text + "'");
                assertTrue(ids.length > 0);
                for (long id : ids) {
                    assertTrue(id >= 0 && id < VOCAB, "id " + id);
                }
            }
        }
    }

    @Test
    void vocabularyHasTheAskedSizeWithEndOfTextLast(@TempDir Path dir) throws IOException {
        assertEquals(VOCAB, vocab.size());
        assertEquals(VOCAB - 1, vocab.eosId());
        assertEquals(BpeVocabulary.EOS, vocab.tokens().get(VOCAB - 1));
        vocab.writeFiles(dir, 64);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            long eos = VOCAB - 1;
            assertArrayEquals(new long[] {eos}, tokenizer.encode(BpeVocabulary.EOS));
            long[] ids = tokenizer.encode("the cat<|endoftext|>the dog");
            assertEquals(1, Arrays.stream(ids).filter(id -> id == eos).count(), "one EOS token");
            assertEquals("the cat<|endoftext|>the dog", tokenizer.decode(ids));
            assertEquals(tokenizer.encode("the cat").length, indexOf(ids, eos), "split out whole, nothing merged in");
        }
    }

    @Test
    void frequentWordsBecomeSingleTokens(@TempDir Path dir) throws IOException {
        vocab.writeFiles(dir, 64);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            for (String word : List.of(" the", " cat", " sat", " on", " mat", " café", " 東京")) {
                assertEquals(1, tokenizer.encode(word).length, "'" + word + "' -> " + tokenizer.encode(word).length);
            }
            // Rare text falls back to smaller pieces, down to single bytes.
            assertTrue(tokenizer.encode(" xylophone").length > 3);
        }
    }

    @Test
    void mergesStayInsidePreTokensAndBytesComeFirstInGpt2Order() {
        List<String> tokens = vocab.tokens();
        assertEquals("!", tokens.get(0));
        assertEquals("Ġ", tokens.get(ByteLevel.byteIds(" ")[0]));
        assertEquals("Ń", tokens.get(255));
        for (int id = 256; id < vocab.eosId(); id++) {
            String text = decodeSymbols(tokens.get(id));
            if (text.chars().allMatch(c -> c < 128)) { // whole characters only: the regex needs valid text
                assertEquals(1, ByteLevel.preTokenize(text).size(), "token '" + text + "' spans pre-tokens");
            }
        }
        assertEquals(VOCAB - 257, vocab.merges().size(), "no two merges spelled the same token in this corpus");
        Iterator<String> merges = vocab.merges().iterator();
        for (int id = 256; id < vocab.eosId(); id++) {
            assertEquals(tokens.get(id), merges.next().replace(" ", ""), "merge order is id order");
        }
    }

    @Test
    void deterministic() {
        assertEquals(vocab, BpeTrainer.train(corpus, VOCAB));
        assertEquals(vocab, BpeTrainer.train(new ArrayList<>(corpus), VOCAB));
    }

    @Test
    void tokenizerJsonHasTheLayoutOfGpt2s(@TempDir Path dir) throws IOException {
        vocab.writeFiles(dir, 64);
        ObjectMapper json = new ObjectMapper();
        JsonNode ours = json.readTree(dir.resolve("tokenizer.json").toFile());
        JsonNode gpt2 = json.readTree(Fixtures.TINY.resolve("tokenizer.json").toFile());
        for (String section : List.of("truncation", "padding", "normalizer", "pre_tokenizer", "post_processor",
                "decoder")) {
            assertEquals(gpt2.get(section), ours.get(section), section);
        }
        List<String> modelKeys = new ArrayList<>();
        ours.get("model").fieldNames().forEachRemaining(modelKeys::add);
        List<String> expectedKeys = new ArrayList<>();
        gpt2.get("model").fieldNames().forEachRemaining(expectedKeys::add);
        assertEquals(expectedKeys, modelKeys);
        JsonNode eos = ours.get("added_tokens").get(0);
        JsonNode gpt2Eos = gpt2.get("added_tokens").get(0);
        assertEquals(((ObjectNode) gpt2Eos.deepCopy()).put("id", VOCAB - 1), eos);
        assertEquals(BpeVocabulary.EOS, json.readTree(dir.resolve("tokenizer_config.json").toFile())
                .get("eos_token").asText());
    }

    @Test
    void specialTokensFollowEndOfTextAreNeverLearntAndAreMatchedWhole(@TempDir Path dir) throws IOException {
        List<String> specials = List.of("<|im_start|>", "<|im_end|>");
        List<String> chat = corpus.stream().map(t -> "<|im_start|>user\n" + t + "<|im_end|>\n").toList();
        BpeVocabulary withSpecials = BpeTrainer.train(chat, VOCAB, specials);
        assertEquals(VOCAB, withSpecials.size(), "the specials count towards the vocabulary size");
        assertEquals(VOCAB - 3, withSpecials.eosId());
        assertEquals(VOCAB - 2, withSpecials.specialId("<|im_start|>"));
        assertEquals(VOCAB - 1, withSpecials.specialId("<|im_end|>"));
        for (String merged : withSpecials.tokens().subList(256, withSpecials.eosId())) {
            assertTrue(!decodeSymbols(merged).contains("|"), "a merge learnt a special's spelling: " + merged);
        }
        withSpecials.writeFiles(dir, 64);
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            String text = "<|im_start|>user\nthe cat<|im_end|>\n";
            long[] ids = tokenizer.encode(text);
            assertEquals(VOCAB - 2, ids[0]);
            assertEquals(VOCAB - 1, ids[ids.length - 2]);
            assertEquals(text, tokenizer.decode(ids));
            assertEquals(Long.valueOf(VOCAB - 1), tokenizer.config().addedTokens().get("<|im_end|>"));
        }
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(chat, 258, specials));
    }

    @Test
    void rejectsAVocabularySmallerThanTheBytes() {
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(corpus, 256));
    }

    @Test
    void stopsWhenNoPairIsLeft() {
        BpeVocabulary small = BpeTrainer.train(List.of("ab ab"), 1000);
        assertEquals(List.of("a b", "Ġ ab"), small.merges());
        assertEquals(259, small.size());
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /** Text of a token whose byte-level spelling is whole UTF-8 characters. */
    private static String decodeSymbols(String token) {
        return new String(ByteLevel.bytes(token), StandardCharsets.UTF_8);
    }
}
