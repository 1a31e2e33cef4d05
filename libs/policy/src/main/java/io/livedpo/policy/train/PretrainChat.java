package io.livedpo.policy.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.policy.tokenizer.BpeVocabulary;
import io.livedpo.policy.tokenizer.ChatFormat;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat template a pre-trained model ships with, and the special tokens it writes: {@link Pretraining} adds them to
 * the tokenizer, and the corpus is rendered with {@link #format()} so the model learns exactly what serving renders.
 *
 * @param chatTemplate tokenizer_config's {@code chat_template} (Jinja, rendered as {@code apply_chat_template} does)
 * @param specials     added special tokens the template writes, given ids after {@code <|endoftext|>}
 * @param endOfTurn    the token that closes a turn: tokenizer_config's {@code eos_token}, config.json's
 *                     {@code eos_token_id}, and first in generation_config's list (with {@code <|endoftext|>})
 */
public record PretrainChat(String chatTemplate, List<String> specials, String endOfTurn) {

    /**
     * ChatML as Qwen2 and SmolLM2 use it: {@code <|im_start|>role\ncontent<|im_end|>\n} per message, then
     * {@code <|im_start|>assistant\n} as the generation prompt; no default system message (the demo's context is 128
     * tokens); roles other than system, user and assistant are refused with {@code raise_exception}.
     */
    public static final PretrainChat CHATML = new PretrainChat("""
            {%- for message in messages %}
            {%- if message['role'] not in ['system', 'user', 'assistant'] %}
            {{- raise_exception('Only system, user and assistant roles are supported, not ' + message['role']) }}
            {%- endif %}
            {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}
            {%- endfor %}
            {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\\n' }}
            {%- endif %}
            """, List.of("<|im_start|>", "<|im_end|>"), "<|im_end|>");

    private static final ObjectMapper JSON = new ObjectMapper();

    public PretrainChat {
        specials = List.copyOf(specials);
        if (!specials.contains(endOfTurn)) {
            throw new IllegalArgumentException("the end-of-turn token " + endOfTurn + " must be one of " + specials);
        }
    }

    /** The template as the model directory will render it (no BOS token: ChatML has none). */
    public ChatFormat format() {
        List<String> added = new ArrayList<>(specials);
        added.add(BpeVocabulary.EOS);
        return ChatFormat.jinja(chatTemplate, "", endOfTurn, added);
    }

    /**
     * Adds the chat fields to the tokenizer_config.json {@code vocab} wrote (no BOS, {@code eos_token} the end of
     * turn, {@code <|endoftext|>} as padding, the template) and writes generation_config.json with both EOS ids.
     */
    void writeFiles(Path dir, BpeVocabulary vocab) throws IOException {
        File tokenizerConfig = dir.resolve("tokenizer_config.json").toFile();
        ObjectNode config = (ObjectNode) JSON.readTree(tokenizerConfig);
        config.putNull("bos_token");
        config.put("eos_token", endOfTurn);
        config.put("pad_token", BpeVocabulary.EOS);
        config.put("unk_token", (String) null);
        config.put("add_bos_token", false);
        config.put("chat_template", chatTemplate);
        JSON.writerWithDefaultPrettyPrinter().writeValue(tokenizerConfig, config);

        ObjectNode generation = JSON.createObjectNode();
        generation.put("bos_token_id", vocab.eosId());
        generation.putArray("eos_token_id").add(vocab.specialId(endOfTurn)).add(vocab.eosId());
        generation.put("pad_token_id", vocab.eosId());
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("generation_config.json").toFile(), generation);
    }
}
