package io.livedpo.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Hyper-parameters of the Llama family, read from a Hugging Face {@code config.json} with HF's key names and defaults
 * ({@code LlamaConfig}, {@code Qwen2Config}, {@code MistralConfig}).
 *
 * @param modelType         model_type: llama, qwen2 or mistral
 * @param vocabSize         vocab_size (V)
 * @param contextLength     max_position_embeddings
 * @param embedDim          hidden_size (C)
 * @param intermediateSize  intermediate_size (I): the SwiGLU width
 * @param layers            num_hidden_layers
 * @param heads             num_attention_heads (H)
 * @param kvHeads           num_key_value_heads (KV): H must divide by it (grouped-query attention)
 * @param headDim           head_dim (D), hidden_size / H unless given
 * @param rmsNormEps        rms_norm_eps
 * @param ropeTheta         rope_theta
 * @param ropeScaling       rope_scaling, or null
 * @param qkvBias           q/k/v projections carry a bias (always in Qwen2; attention_bias in Llama)
 * @param oBias             o_proj carries a bias (attention_bias in Llama)
 * @param mlpBias           mlp_bias (Llama)
 * @param tieWordEmbeddings tie_word_embeddings: lm_head is embed_tokens
 * @param bosTokenId        bos_token_id (eos when absent)
 * @param eosTokenId        eos_token_id, the first when config.json lists several
 */
public record LlamaConfig(String modelType, int vocabSize, int contextLength, int embedDim, int intermediateSize,
                          int layers, int heads, int kvHeads, int headDim, float rmsNormEps, double ropeTheta,
                          RopeScaling ropeScaling, boolean qkvBias, boolean oBias, boolean mlpBias,
                          boolean tieWordEmbeddings, int bosTokenId, int eosTokenId) implements LmConfig {

    /** The model_type values this family reads, with the HF class each names in "architectures". */
    private static final Map<String, String> ARCHITECTURES = Map.of("llama", "LlamaForCausalLM",
            "qwen2", "Qwen2ForCausalLM", "mistral", "MistralForCausalLM");
    public static final List<String> MODEL_TYPES = List.of("llama", "qwen2", "mistral");

    private static final ObjectMapper JSON = new ObjectMapper();

    public LlamaConfig {
        if (!ARCHITECTURES.containsKey(modelType)) {
            throw new IllegalArgumentException("model_type '" + modelType + "' is not one of " + MODEL_TYPES);
        }
        if (vocabSize < 1 || contextLength < 1 || embedDim < 1 || intermediateSize < 1 || layers < 1 || heads < 1
                || kvHeads < 1 || headDim < 2) {
            throw new IllegalArgumentException("Llama config needs positive sizes: " + this);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " attention heads do not divide into " + kvHeads
                    + " key/value heads");
        }
        boolean biasesFit = switch (modelType) {
            case "qwen2" -> qkvBias && !oBias && !mlpBias; // Qwen2: q/k/v always biased, nothing else
            case "mistral" -> !qkvBias && !oBias && !mlpBias;
            default -> qkvBias == oBias; // Llama's attention_bias covers q, k, v and o together
        };
        if (!biasesFit) {
            throw new IllegalArgumentException("biases q/k/v " + qkvBias + ", o " + oBias + ", mlp " + mlpBias
                    + " cannot be expressed in a " + modelType + " config");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary embeddings need an even head_dim, got " + headDim);
        }
    }

    @Override
    public long parameterCount() {
        long c = embedDim;
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        long perLayer = 2 * c + c * q + 2 * c * kv + q * c + 3 * c * intermediateSize
                + (qkvBias ? q + 2 * kv : 0) + (oBias ? c : 0) + (mlpBias ? 2L * intermediateSize + c : 0);
        return (tieWordEmbeddings ? 1 : 2) * (long) vocabSize * c + layers * perLayer + c;
    }

    @Override
    public long matmulParameters() {
        long c = embedDim;
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        return layers * (2 * c * q + 2 * c * kv + 3 * c * intermediateSize) + (long) vocabSize * c;
    }

    @Override
    public int attentionWidth() {
        return heads * headDim;
    }

    public static LlamaConfig read(Path configJson) throws IOException {
        JsonNode n = JSON.readTree(configJson.toFile());
        String where = configJson.toString();
        String type = n.path("model_type").asText("");
        if (!ARCHITECTURES.containsKey(type)) {
            throw new IOException(where + ": model_type '" + type + "' is not one of " + MODEL_TYPES);
        }
        String act = n.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IOException(where + ": hidden_act '" + act + "' is not supported (silu)");
        }
        int context = ConfigKeys.required(n, "max_position_embeddings", where);
        refuseSlidingWindow(n, type, context, where);
        int hidden = ConfigKeys.required(n, "hidden_size", where);
        int heads = ConfigKeys.required(n, "num_attention_heads", where);
        boolean llama = type.equals("llama");
        boolean attentionBias = llama && n.path("attention_bias").asBoolean(false);
        int eos = firstId(n.get("eos_token_id"), -1);
        if (eos < 0) {
            throw new IOException(where + ": missing 'eos_token_id'");
        }
        try {
            return new LlamaConfig(type, ConfigKeys.required(n, "vocab_size", where), context, hidden,
                    ConfigKeys.required(n, "intermediate_size", where),
                    ConfigKeys.required(n, "num_hidden_layers", where), heads,
                    n.hasNonNull("num_key_value_heads") ? n.get("num_key_value_heads").asInt() : heads,
                    n.hasNonNull("head_dim") ? n.get("head_dim").asInt() : hidden / heads,
                    (float) n.path("rms_norm_eps").asDouble(1e-6), n.path("rope_theta").asDouble(10000.0),
                    RopeScaling.read(n.get("rope_scaling"), where),
                    type.equals("qwen2") || attentionBias, attentionBias, llama && n.path("mlp_bias").asBoolean(false),
                    n.path("tie_word_embeddings").asBoolean(false), firstId(n.get("bos_token_id"), eos), eos);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sliding-window attention is not implemented; a window shorter than the context would change the math, so such
     * a config is refused rather than run as full attention.
     */
    private static void refuseSlidingWindow(JsonNode n, String type, int context, String where) throws IOException {
        boolean used = type.equals("qwen2") ? n.path("use_sliding_window").asBoolean(false)
                : n.hasNonNull("sliding_window");
        if (used && n.path("sliding_window").asInt(Integer.MAX_VALUE) < context) {
            throw new IOException(where + ": sliding-window attention (sliding_window "
                    + n.path("sliding_window").asInt() + " < max_position_embeddings " + context
                    + ") is not supported");
        }
    }

    /** An id, or the first of a list of ids (eos_token_id lists every end-of-turn token in Llama 3 configs). */
    private static int firstId(JsonNode node, int fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.isArray()) {
            return node.isEmpty() ? fallback : node.get(0).asInt();
        }
        return node.asInt();
    }

    public void write(Path configJson) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add(ARCHITECTURES.get(modelType));
        n.put("model_type", modelType);
        n.put("vocab_size", vocabSize);
        n.put("max_position_embeddings", contextLength);
        n.put("hidden_size", embedDim);
        n.put("intermediate_size", intermediateSize);
        n.put("num_hidden_layers", layers);
        n.put("num_attention_heads", heads);
        n.put("num_key_value_heads", kvHeads);
        n.put("head_dim", headDim);
        n.put("hidden_act", "silu");
        n.put("rms_norm_eps", rmsNormEps);
        n.put("rope_theta", ropeTheta);
        if (ropeScaling == null) {
            n.putNull("rope_scaling");
        } else {
            ropeScaling.write(n.putObject("rope_scaling"));
        }
        if (modelType.equals("qwen2")) {
            n.put("use_sliding_window", false);
        } else {
            n.put("attention_bias", oBias);
            if (modelType.equals("llama")) {
                n.put("mlp_bias", mlpBias);
            } else {
                n.putNull("sliding_window");
            }
        }
        n.put("tie_word_embeddings", tieWordEmbeddings);
        n.put("bos_token_id", bosTokenId);
        n.put("eos_token_id", eosTokenId);
        n.put("torch_dtype", "float32");
        JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), n);
    }
}
