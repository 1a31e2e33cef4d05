package io.livedpo.policy.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.livedpo.policy.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = TextTokenizer.load(Fixtures.TINY);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void idsMatchGpt2ByteLevelBpe() {
        JsonNode expected = Fixtures.expected(Fixtures.TINY);
        for (String key : new String[] {"tokenize", "tokenize_special"}) {
            for (JsonNode c : expected.get(key)) {
                String text = c.get("text").asText();
                assertArrayEquals(Fixtures.longs(c.get("ids")), tokenizer.encode(text), text);
            }
        }
    }

    @Test
    void nonAsciiTextRoundTrips() {
        for (String text : new String[] {"héllo wörld", "日本語のテキスト", "emoji 🙂👍🏽 and  two  spaces\n\nnew lines",
                "Ünïcödé — “quotes” ½ ∑"}) {
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)), text);
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "count with me: " + "one two three four five six seven eight nine ten ".repeat(200);
        long[] ids = tokenizer.encode(text);
        // DJL's default would stop at 512 tokens.
        assertEquals(text, tokenizer.decode(ids));
        org.junit.jupiter.api.Assertions.assertTrue(ids.length > 2000, "got " + ids.length + " ids");
    }

    @Test
    void missingTokenizerIsAClearError(@TempDir Path empty) {
        IOException e = assertThrows(IOException.class, () -> TextTokenizer.load(empty));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }
}
