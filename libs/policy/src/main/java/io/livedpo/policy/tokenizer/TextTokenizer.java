package io.livedpo.policy.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model's {@code tokenizer.json} through DJL's bundled Hugging Face tokenizers library. Adds no special tokens and
 * never truncates or pads: callers see every token and decide what is too long.
 */
public final class TextTokenizer implements TokenDecoder, AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static TextTokenizer load(Path modelDir) throws IOException {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException("missing tokenizer: " + file);
        }
        // DJL truncates to 512 tokens unless told not to.
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        return new TextTokenizer(HuggingFaceTokenizer.newInstance(file, options));
    }

    public long[] encode(String text) {
        if (text.isEmpty()) {
            return new long[0];
        }
        return tokenizer.encode(text, false, false).getIds();
    }

    /** Text of the ids, special tokens included, so a round trip is exact. */
    @Override
    public String decode(long[] ids) {
        return ids.length == 0 ? "" : tokenizer.decode(ids, false);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
