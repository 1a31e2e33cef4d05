package io.livedpo.policy.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a Hugging Face model directory says about its special tokens and chat template, read as transformers reads it.
 *
 * @param bosToken     tokenizer_config's {@code bos_token} text ("" when none): templates use it as {@code bos_token}
 * @param eosToken     tokenizer_config's {@code eos_token} text ("" when none)
 * @param addBos       whether encoding text starts with BOS: tokenizer_config's {@code add_bos_token}, else whether
 *                     tokenizer.json's post-processor puts BOS first
 * @param eosIds       every {@code eos_token_id} of generation_config.json and config.json (each an id or a list)
 * @param chatTemplate the model's Jinja chat template, or null: {@code chat_template.jinja} if present, else
 *                     tokenizer_config's {@code chat_template} (a string, or the entry named "default" of a list)
 * @param addedTokens  tokenizer.json's added tokens, text to id: the tokenizer matches these as whole tokens
 */
public record TokenizerConfig(String bosToken, String eosToken, boolean addBos, Set<Long> eosIds,
                              String chatTemplate, Map<String, Long> addedTokens) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerConfig {
        eosIds = Collections.unmodifiableSet(new LinkedHashSet<>(eosIds));
        addedTokens = Collections.unmodifiableMap(new LinkedHashMap<>(addedTokens));
    }

    public static TokenizerConfig read(Path dir) throws IOException {
        JsonNode tokenizerConfig = json(dir.resolve("tokenizer_config.json"));
        JsonNode tokenizer = json(dir.resolve("tokenizer.json"));
        Map<String, Long> added = new LinkedHashMap<>();
        for (JsonNode t : tokenizer.path("added_tokens")) {
            added.put(t.path("content").asText(), t.path("id").asLong());
        }
        String bos = tokenText(tokenizerConfig.get("bos_token"));
        boolean addBos = tokenizerConfig.has("add_bos_token")
                ? tokenizerConfig.get("add_bos_token").asBoolean()
                : postProcessorAddsFirst(tokenizer.path("post_processor"), added.get(bos));
        Set<Long> eosIds = new LinkedHashSet<>();
        addIds(json(dir.resolve("generation_config.json")).get("eos_token_id"), eosIds);
        addIds(json(dir.resolve("config.json")).get("eos_token_id"), eosIds);
        return new TokenizerConfig(bos, tokenText(tokenizerConfig.get("eos_token")), addBos, eosIds,
                chatTemplate(dir, tokenizerConfig.get("chat_template")), added);
    }

    private static JsonNode json(Path file) throws IOException {
        return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
    }

    /** A special token is written either as its text or as a serialized AddedToken with a "content" field. */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return "";
        }
        return node.isObject() ? node.path("content").asText("") : node.asText();
    }

    private static void addIds(JsonNode node, Set<Long> into) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isArray()) {
            node.forEach(id -> into.add(id.asLong()));
        } else {
            into.add(node.asLong());
        }
    }

    /** Whether a TemplateProcessing post-processor (alone or in a Sequence) starts single texts with the BOS token. */
    private static boolean postProcessorAddsFirst(JsonNode processor, Long bosId) {
        if (bosId == null) {
            return false;
        }
        if ("Sequence".equals(processor.path("type").asText())) {
            for (JsonNode p : processor.path("processors")) {
                if (postProcessorAddsFirst(p, bosId)) {
                    return true;
                }
            }
            return false;
        }
        if (!"TemplateProcessing".equals(processor.path("type").asText())) {
            return false;
        }
        JsonNode first = processor.path("single").path(0).path("SpecialToken");
        if (first.isMissingNode()) {
            return false;
        }
        JsonNode ids = processor.path("special_tokens").path(first.path("id").asText()).path("ids");
        return ids.size() == 1 && ids.get(0).asLong() == bosId;
    }

    private static String chatTemplate(Path dir, JsonNode node) throws IOException {
        Path file = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(file)) {
            return Files.readString(file);
        }
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText())) {
                    return named.path("template").asText();
                }
            }
            throw new IOException("chat_template lists named templates but none is called \"default\"");
        }
        return node.asText();
    }
}
