package io.livedpo.policy.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A model's {@code tokenizer.json} through DJL's bundled Hugging Face tokenizers library, with the special tokens and
 * chat template of its directory. Added tokens in text ({@code <|im_start|>}) are matched whole, as Hugging Face does.
 * {@link #encode} adds no special tokens and never truncates or pads: callers see every token and decide what is too
 * long; BOS, where the tokenizer config asks for it, comes from the chat format's prompt text.
 */
public final class TextTokenizer implements TokenDecoder, AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerConfig config;
    private final ChatFormat chat;
    private final Set<Long> stopIds;
    private final Long endOfTurnId;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, TokenizerConfig config) {
        this.tokenizer = tokenizer;
        this.config = config;
        if (config.chatTemplate() == null) {
            this.chat = ChatTemplate.startingWith(config.addBos() ? config.bosToken() : "");
            this.endOfTurnId = null;
        } else {
            JinjaChatTemplate template = new JinjaChatTemplate(config.chatTemplate(), config.bosToken(),
                    config.eosToken(), config.addedTokens().keySet());
            this.chat = template;
            this.endOfTurnId = template.endOfTurn().map(config.addedTokens()::get).orElse(null);
        }
        Set<Long> stops = new LinkedHashSet<>(config.eosIds());
        if (endOfTurnId != null) {
            stops.add(endOfTurnId);
        }
        this.stopIds = Collections.unmodifiableSet(stops);
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
        TokenizerConfig config = TokenizerConfig.read(modelDir);
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file, options);
        try {
            return new TextTokenizer(tokenizer, config);
        } catch (ChatTemplateException e) {
            tokenizer.close();
            throw new IOException("the chat template of " + modelDir + " does not render: " + e.getMessage(), e);
        }
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

    /** The model's chat template, or the plain one for a model without. */
    public ChatFormat chat() {
        return chat;
    }

    public TokenizerConfig config() {
        return config;
    }

    /** The id of the token that closes an assistant turn in the model's chat template, if it has one. */
    public Optional<Long> endOfTurnId() {
        return Optional.ofNullable(endOfTurnId);
    }

    /** Every eos_token_id of the model's configs plus its template's end-of-turn token: generation stops on each. */
    @Override
    public Set<Long> stopIds() {
        return stopIds;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
