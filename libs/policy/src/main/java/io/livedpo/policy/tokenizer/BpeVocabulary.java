package io.livedpo.policy.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A trained byte-level BPE in GPT-2's layout: ids 0..255 are the byte symbols in {@code bytes_to_unicode} order, then
 * one token per new merge result in merge order, then {@code <|endoftext|>}, then any added special tokens (as Qwen2
 * puts {@code <|im_start|>} and {@code <|im_end|>} right after its {@code <|endoftext|>}).
 *
 * @param tokens   token strings (byte-level spelling) by id, {@code <|endoftext|>} last
 * @param merges   merge rules in priority order, each "left right"
 * @param specials added special tokens, ids from {@code tokens.size()} on; matched whole, never merged
 */
public record BpeVocabulary(List<String> tokens, List<String> merges, List<String> specials) {

    public static final String EOS = "<|endoftext|>";

    private static final ObjectMapper JSON = new ObjectMapper();

    public BpeVocabulary(List<String> tokens, List<String> merges) {
        this(tokens, merges, List.of());
    }

    public BpeVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        specials = List.copyOf(specials);
        if (tokens.isEmpty() || !tokens.get(tokens.size() - 1).equals(EOS)) {
            throw new IllegalArgumentException("the last token must be " + EOS);
        }
        Set<String> seen = new HashSet<>();
        for (String t : java.util.stream.Stream.concat(tokens.stream(), specials.stream()).toList()) {
            if (!seen.add(t)) {
                throw new IllegalArgumentException("token '" + t + "' appears twice");
            }
        }
    }

    /** Every id: BPE tokens, {@code <|endoftext|>} and the specials. */
    public int size() {
        return tokens.size() + specials.size();
    }

    /** Id of an added special token. */
    public int specialId(String special) {
        int i = specials.indexOf(special);
        if (i < 0) {
            throw new IllegalArgumentException(special + " is not a special token of this vocabulary");
        }
        return tokens.size() + i;
    }

    /** Id of {@code <|endoftext|>}: the model's BOS and EOS. */
    public int eosId() {
        return tokens.size() - 1;
    }

    /**
     * Writes {@code tokenizer.json} (the layout of GPT-2's own: ByteLevel pre-tokenizer, post-processor and decoder,
     * a BPE model, {@code <|endoftext|>} as an added special token) and {@code tokenizer_config.json} into {@code dir}.
     *
     * @param modelMaxLength the model's context length, recorded for HF's tokenizer
     */
    public void writeFiles(Path dir, int modelMaxLength) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        addedToken(added, eosId(), EOS, true);
        for (String special : specials) {
            addedToken(added, specialId(special), special, false);
        }
        root.putNull("normalizer");
        byteLevel(root.putObject("pre_tokenizer"), false, true);
        byteLevel(root.putObject("post_processor"), true, false);
        byteLevel(root.putObject("decoder"), true, true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        ArrayNode mergeArray = model.putArray("merges");
        merges.forEach(mergeArray::add);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), root);

        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "GPT2Tokenizer");
        config.put("model_max_length", modelMaxLength);
        config.put("bos_token", EOS);
        config.put("eos_token", EOS);
        config.put("unk_token", EOS);
        config.put("add_prefix_space", false);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    /** GPT-2 marks its EOS as normalized; tokens added later (Qwen2's) are not, so text is matched as written. */
    private static void addedToken(ArrayNode added, int id, String content, boolean normalized) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", normalized);
        t.put("special", true);
    }

    private static void byteLevel(ObjectNode node, boolean addPrefixSpace, boolean trimOffsets) {
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", addPrefixSpace);
        node.put("trim_offsets", trimOffsets);
        node.put("use_regex", true);
    }
}
