package io.livedpo.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * GPT-2 hyper-parameters, read from a Hugging Face {@code config.json} (keys as {@code GPT2Config} names them).
 *
 * @param vocabSize        vocab_size: rows of wte, columns of the logits
 * @param contextLength    n_positions: rows of wpe, the longest sequence the model can see
 * @param embedDim         n_embd (C)
 * @param layers           n_layer
 * @param heads            n_head; C must divide by it
 * @param layerNormEpsilon layer_norm_epsilon
 * @param bosTokenId       bos_token_id
 * @param eosTokenId       eos_token_id: generation stops on it
 */
public record Gpt2Config(int vocabSize, int contextLength, int embedDim, int layers, int heads, float layerNormEpsilon,
                         int bosTokenId, int eosTokenId) implements LmConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Gpt2Config {
        if (vocabSize < 1 || contextLength < 1 || embedDim < 1 || layers < 1 || heads < 1) {
            throw new IllegalArgumentException("GPT-2 config needs positive sizes: " + this);
        }
        if (embedDim % heads != 0) {
            throw new IllegalArgumentException("n_embd " + embedDim + " does not divide into " + heads + " heads");
        }
    }

    public int headDim() {
        return embedDim / heads;
    }

    /** Weights in the model, lm_head excluded (tied to wte). */
    @Override
    public long parameterCount() {
        long c = embedDim;
        long perBlock = 2 * 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c);
        return (long) vocabSize * c + (long) contextLength * c + layers * perBlock + 2 * c;
    }

    @Override
    public long matmulParameters() {
        return 12L * layers * embedDim * embedDim + (long) vocabSize * embedDim;
    }

    @Override
    public int attentionWidth() {
        return embedDim;
    }

    public static Gpt2Config read(Path configJson) throws IOException {
        JsonNode n = JSON.readTree(configJson.toFile());
        String type = n.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) {
            throw new IOException(configJson + ": model_type '" + type + "' is not supported (only gpt2)");
        }
        String activation = n.path("activation_function").asText("gelu_new");
        if (!activation.equals("gelu_new")) {
            throw new IOException(configJson + ": activation_function '" + activation + "' is not supported (gelu_new)");
        }
        if (!n.path("n_inner").isNull() && !n.path("n_inner").isMissingNode()
                && n.path("n_inner").asInt() != 4 * ConfigKeys.required(n, "n_embd", configJson)) {
            throw new IOException(configJson + ": n_inner other than 4*n_embd is not supported");
        }
        int eos = n.path("eos_token_id").asInt(50256);
        return new Gpt2Config(
                ConfigKeys.required(n, "vocab_size", configJson),
                n.has("n_positions") ? n.get("n_positions").asInt() : ConfigKeys.required(n, "n_ctx", configJson),
                ConfigKeys.required(n, "n_embd", configJson),
                ConfigKeys.required(n, "n_layer", configJson),
                ConfigKeys.required(n, "n_head", configJson),
                (float) n.path("layer_norm_epsilon").asDouble(1e-5),
                n.path("bos_token_id").asInt(eos),
                eos);
    }

    public void write(Path configJson) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("model_type", "gpt2");
        n.put("vocab_size", vocabSize);
        n.put("n_positions", contextLength);
        n.put("n_ctx", contextLength);
        n.put("n_embd", embedDim);
        n.put("n_layer", layers);
        n.put("n_head", heads);
        n.putNull("n_inner");
        n.put("layer_norm_epsilon", layerNormEpsilon);
        n.put("activation_function", "gelu_new");
        n.put("bos_token_id", bosTokenId);
        n.put("eos_token_id", eosTokenId);
        n.put("scale_attn_weights", true);
        n.put("tie_word_embeddings", true);
        n.put("torch_dtype", "float32");
        JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), n);
    }
}
