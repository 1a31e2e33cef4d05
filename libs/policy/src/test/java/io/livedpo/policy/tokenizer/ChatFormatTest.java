package io.livedpo.policy.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.policy.Fixtures;
import io.livedpo.policy.train.PreferenceEncoder;
import io.livedpo.policy.train.PreferenceExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Special tokens, BOS, the EOS set and the chat template of a model directory, on the fixtures
 * tools/reference/make_chat_fixtures.py built: chat-tiny (ChatML template, added tokens 407/408), chat-tokenizer-llama3
 * (BOS from the post-processor, chat_template.jinja) and chat-tokenizer-bos (add_bos_token, no template).
 */
class ChatFormatTest {

    private static final Path CHAT_TINY = Fixtures.ROOT.resolve("chat-tiny");
    private static final Path LLAMA3 = Fixtures.ROOT.resolve("chat-tokenizer-llama3");
    private static final Path BOS = Fixtures.ROOT.resolve("chat-tokenizer-bos");
    private static final List<ChatMessage> ASK = List.of(new ChatMessage("user", "How do I make tea?"));

    @Test
    void addedTokensInTextAreMatchedAsThemselves() throws IOException {
        try (TextTokenizer t = TextTokenizer.load(CHAT_TINY)) {
            long[] ids = t.encode("<|im_start|>user\nhi<|im_end|>");
            assertEquals(407, ids[0]);
            assertEquals(408, ids[ids.length - 1]);
            assertArrayEquals(t.encode("user\nhi"), Arrays.copyOfRange(ids, 1, ids.length - 1));
            assertEquals("<|im_start|>user\nhi<|im_end|>", t.decode(ids));
        }
    }

    @Test
    void chatmlTemplateRendersTheConversationAndItsEndOfTurnJoinsTheEosIds() throws IOException {
        try (TextTokenizer t = TextTokenizer.load(CHAT_TINY)) {
            assertEquals(Set.of(406L, 407L, 408L), t.stopIds(), "config 406, generation_config [406, 407], "
                    + "template end-of-turn <|im_end|> 408");
            ChatFormat chat = t.chat();
            assertEquals("<|im_start|>system\nYou are a careful assistant.<|im_end|>\n"
                    + "<|im_start|>user\nHow do I make tea?<|im_end|>\n<|im_start|>assistant\n", chat.prompt(ASK));
            assertEquals("Boil water.<|im_end|>", chat.completion(ASK, "  Boil water. "),
                    "the answer as the template writes it (trimmed here), through the end-of-turn token");
            assertEquals(List.of(), chat.stops());
            assertEquals("Boil water.", chat.answer("Boil water."));
            assertFalse(t.config().addBos());
        }
    }

    @Test
    void templateRaiseExceptionBecomesATypedErrorNamingTheProblem() throws IOException {
        try (TextTokenizer t = TextTokenizer.load(CHAT_TINY)) {
            List<ChatMessage> late = List.of(ASK.get(0), new ChatMessage("system", "be terse"));
            ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.chat().prompt(late));
            assertEquals("role system is not allowed here", e.getMessage());
        }
    }

    @Test
    void pairsCloseTheCompletionWithTheEndOfTurnAndNoSecondEos() throws IOException {
        try (TextTokenizer t = TextTokenizer.load(CHAT_TINY)) {
            PreferenceExample ex = new PreferenceEncoder(t, 406, 406).encode("p", t.chat().prompt(ASK),
                    t.chat().completion(ASK, "Boil water."), t.chat().completion(ASK, "No."));
            assertArrayEquals(t.encode(t.chat().prompt(ASK)), ex.promptIds());
            assertArrayEquals(t.encode("Boil water.<|im_end|>"), ex.chosenIds());
            assertEquals(408, ex.rejectedIds()[ex.rejectedIds().length - 1]);
            assertFalse(Arrays.stream(ex.chosenIds()).anyMatch(id -> id == 406), "no EOS after the end-of-turn");
        }
        try (TextTokenizer plain = TextTokenizer.load(Fixtures.TINY)) {
            PreferenceExample ex = new PreferenceEncoder(plain, 406, 406).encode("p", plain.chat().prompt(ASK),
                    plain.chat().completion(ASK, "Boil water."), plain.chat().completion(ASK, "No."));
            assertEquals(406, ex.chosenIds()[ex.chosenIds().length - 1], "the plain template's answer gets EOS");
        }
    }

    @Test
    void bosFromThePostProcessorTemplateFromChatTemplateJinjaAndEosTokenAsAddedTokenObject() throws IOException {
        try (TextTokenizer t = TextTokenizer.load(LLAMA3)) {
            TokenizerConfig c = t.config();
            assertTrue(c.addBos(), "TemplateProcessing puts <|begin_of_text|> first");
            assertEquals("<|eot_id|>", c.eosToken());
            assertEquals(Set.of(406L, 408L), t.stopIds());
            String prompt = t.chat().prompt(ASK);
            assertTrue(prompt.startsWith("<|begin_of_text|><|start_header_id|>system"), prompt);
            long[] ids = t.encode(prompt);
            assertEquals(407, ids[0]);
            assertEquals(1, Arrays.stream(ids).filter(id -> id == 407).count(), "BOS once, from the template");
            assertEquals("Boil water.<|eot_id|>", t.chat().completion(ASK, "Boil water.\n"));
        }
    }

    @Test
    void aModelWithoutTemplateKeepsThePlainOneWithBosWhenItsTokenizerAddsIt() throws IOException {
        try (TextTokenizer t = TextTokenizer.load(BOS)) {
            assertEquals("<s>User: How do I make tea?\nAssistant:", t.chat().prompt(ASK));
            assertEquals(407, t.encode(t.chat().prompt(ASK))[0]);
            assertEquals(Set.of(408L), t.stopIds());
            assertEquals(" Boil water.", t.chat().completion(ASK, "Boil water."));
            assertEquals(List.of(ChatTemplate.NEXT_TURN), t.chat().stops());
        }
        try (TextTokenizer gpt2 = TextTokenizer.load(Fixtures.TINY)) {
            assertSame(ChatTemplate.PLAIN, gpt2.chat());
            assertEquals("User: How do I make tea?\nAssistant:", gpt2.chat().prompt(ASK));
            assertEquals(Set.of(406L), gpt2.stopIds());
        }
    }

    @Test
    void aListOfNamedTemplatesWithoutDefaultIsRefused(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.TINY.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"{{ 'x' }}\"}]}");
        IOException e = assertThrows(IOException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains("\"default\""), e.getMessage());
    }

    @Test
    void aTemplateThatDoesNotRenderIsRefusedWhenTheModelLoads(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.TINY.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ strftime_now('%d %b %Y') }}{{ messages[0].content }}");
        IOException e = assertThrows(IOException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains("does not render") && e.getMessage().contains("strftime_now"),
                e.getMessage());
    }
}
