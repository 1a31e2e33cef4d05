package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.io.CheckpointFiles;
import io.livedpo.policy.io.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The Llama family (HF {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}, {@code MistralForCausalLM}): token
 * embedding, pre-norm decoder layers with RMSNorm, rotary grouped-query attention and a SwiGLU MLP, a final RMSNorm and
 * an output head, tied to the embedding or not. Weights keep their checkpoint names ({@code model.layers.0...}).
 */
public final class LlamaModel implements CausalLm {

    /** Every nn.Linear of a layer, as HF names the modules: PEFT's usual LoRA targets for this family. */
    public static final List<String> PROJECTIONS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> weights;
    private final NDArray embedTokens; // [V, C]
    private final List<LlamaDecoderLayer> layers;
    private final RmsNorm norm;
    private final Projection lmHead; // [B, T, C] -> [B, T, V], weight [V, C]
    private final RotaryEmbedding rotary;
    private final Map<String, Projection> projections;
    private final BasePrecision precision;

    private LlamaModel(LlamaConfig config, Map<String, NDArray> weights, NDManager manager, BasePrecision precision) {
        this.config = config;
        this.precision = precision;
        this.manager = manager;
        this.weights = Collections.unmodifiableMap(weights);
        long c = config.embedDim();
        long q = (long) config.heads() * config.headDim();
        long kv = (long) config.kvHeads() * config.headDim();
        long i = config.intermediateSize();
        this.embedTokens = weight("model.embed_tokens.weight", config.vocabSize(), c);
        Map<String, Projection> linears = new LinkedHashMap<>();
        List<LlamaDecoderLayer> stack = new ArrayList<>();
        ScaledDotProduct sdp = ScaledDotProduct.of(manager, config.headDim());
        for (int l = 0; l < config.layers(); l++) {
            String p = "model.layers." + l + ".";
            LlamaAttention attention = new LlamaAttention(
                    linear(linears, p + "self_attn.q_proj", q, c, config.qkvBias()),
                    linear(linears, p + "self_attn.k_proj", kv, c, config.qkvBias()),
                    linear(linears, p + "self_attn.v_proj", kv, c, config.qkvBias()),
                    linear(linears, p + "self_attn.o_proj", c, q, config.oBias()),
                    config.heads(), config.kvHeads(), config.headDim(), sdp);
            LlamaMlp mlp = new LlamaMlp(
                    linear(linears, p + "mlp.gate_proj", i, c, config.mlpBias()),
                    linear(linears, p + "mlp.up_proj", i, c, config.mlpBias()),
                    linear(linears, p + "mlp.down_proj", c, i, config.mlpBias()));
            stack.add(new LlamaDecoderLayer(rmsNorm(p + "input_layernorm"), attention,
                    rmsNorm(p + "post_attention_layernorm"), mlp));
        }
        this.layers = List.copyOf(stack);
        this.norm = rmsNorm("model.norm");
        this.lmHead = precision.apply(new Linear("lm_head",
                config.tieWordEmbeddings() ? embedTokens : weight("lm_head.weight", config.vocabSize(), c), null));
        this.rotary = new RotaryEmbedding(config.headDim(), config.ropeTheta(), config.ropeScaling());
        this.projections = Collections.unmodifiableMap(linears);
        int perLayer = 2 + 7 + (config.qkvBias() ? 3 : 0) + (config.oBias() ? 1 : 0) + (config.mlpBias() ? 3 : 0);
        int expected = 2 + (config.tieWordEmbeddings() ? 0 : 1) + config.layers() * perLayer; // norms + 7 linears
        if (weights.size() != expected) {
            TreeSet<String> unknown = new TreeSet<>(weights.keySet());
            unknown.removeIf(name -> name.equals("model.embed_tokens.weight") || name.equals("model.norm.weight")
                    || name.equals("lm_head.weight") || name.matches("model\\.layers\\.\\d+\\..*"));
            throw new IllegalArgumentException("checkpoint has " + weights.size() + " tensors, this "
                    + config.modelType() + " config expects " + expected + "; not understood: " + unknown);
        }
    }

    /**
     * Loads a directory in Hugging Face layout: config.json and model.safetensors or its shards (F32/F16/BF16). A tied
     * checkpoint's stored lm_head and old checkpoints' rotary inv_freq buffers are dropped: both are derived.
     */
    public static LlamaModel load(Path dir, NDManager parent) throws IOException {
        return load(dir, parent, BasePrecision.F32);
    }

    /** As {@link #load(Path, NDManager)}, its projections and head multiplied at {@code precision}. */
    public static LlamaModel load(Path dir, NDManager parent, BasePrecision precision) throws IOException {
        LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> raw = CheckpointFiles.read(dir, manager);
            Map<String, NDArray> kept = new LinkedHashMap<>();
            raw.forEach((name, a) -> {
                if (name.endsWith(".rotary_emb.inv_freq")
                        || (config.tieWordEmbeddings() && name.equals("lm_head.weight"))) {
                    a.close();
                } else {
                    kept.put(name, a);
                }
            });
            return new LlamaModel(config, kept, manager, precision);
        } catch (IllegalArgumentException e) {
            manager.close();
            throw new IOException(dir + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Fresh weights as HF initialises this family: N(0, 0.02) matrices, zero biases, unit norms. */
    public static LlamaModel random(LlamaConfig config, long seed, NDManager parent) {
        NDManager m = parent.newSubManager();
        SplittableRandom rng = new SplittableRandom(seed);
        long c = config.embedDim();
        long q = (long) config.heads() * config.headDim();
        long kv = (long) config.kvHeads() * config.headDim();
        long i = config.intermediateSize();
        Map<String, NDArray> w = new LinkedHashMap<>();
        w.put("model.embed_tokens.weight", ModelWeights.normal(m, rng, 0.02f, config.vocabSize(), c));
        for (int l = 0; l < config.layers(); l++) {
            String p = "model.layers." + l + ".";
            w.put(p + "input_layernorm.weight", m.ones(new Shape(c)));
            putLinear(w, m, rng, p + "self_attn.q_proj", q, c, config.qkvBias());
            putLinear(w, m, rng, p + "self_attn.k_proj", kv, c, config.qkvBias());
            putLinear(w, m, rng, p + "self_attn.v_proj", kv, c, config.qkvBias());
            putLinear(w, m, rng, p + "self_attn.o_proj", c, q, config.oBias());
            w.put(p + "post_attention_layernorm.weight", m.ones(new Shape(c)));
            putLinear(w, m, rng, p + "mlp.gate_proj", i, c, config.mlpBias());
            putLinear(w, m, rng, p + "mlp.up_proj", i, c, config.mlpBias());
            putLinear(w, m, rng, p + "mlp.down_proj", c, i, config.mlpBias());
        }
        w.put("model.norm.weight", m.ones(new Shape(c)));
        if (!config.tieWordEmbeddings()) {
            w.put("lm_head.weight", ModelWeights.normal(m, rng, 0.02f, config.vocabSize(), c));
        }
        return new LlamaModel(config, w, m, BasePrecision.F32);
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, Adapter adapter, CacheStep cache,
                           boolean lastOnly) {
        long t = inputIds.getShape().get(1);
        NDArray positions = cache != null ? cache.positions() // [B, T]
                : AttentionMask.positions(attentionMask, t, config.contextLength());
        NDList cosSin = rotary.cosSin(positions); // 2 x [B, 1, T, D]
        NDArray maskBias = cache != null ? cache.bias() : AttentionMask.bias(attentionMask, t); // [B, 1, T, S]
        NDArray x = Embedding.lookup(inputIds, embedTokens); // [B, T, C]
        for (int l = 0; l < layers.size(); l++) {
            LlamaDecoderLayer layer = adapter == null ? layers.get(l) : layers.get(l).adapted(adapter);
            x = layer.forward(x, cosSin, maskBias, cache == null ? null : cache.layer(l)); // [B, T, C]
        }
        if (lastOnly) {
            x = cache != null ? cache.lastTokens(x) : x.get(new NDIndex(":, -1:, :")); // [B, 1, C]
        }
        return lmHead.forward(norm.forward(x)); // [B, T, C] @ [C, V] -> [B, T, V]
    }

    @Override
    public void writeFiles(Path dir, Map<String, NDArray> weights) throws IOException {
        config.write(dir.resolve("config.json"));
        Safetensors.write(dir.resolve(CheckpointFiles.SINGLE), weights, Map.of("format", "pt"));
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public BasePrecision precision() {
        return precision;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /** Base weights by checkpoint name; lm_head only when untied (read-only view). */
    @Override
    public Map<String, NDArray> weights() {
        return weights;
    }

    /** Every nn.Linear by module path ({@code model.layers.0.self_attn.q_proj}), in layer order. */
    @Override
    public Map<String, Projection> projections() {
        return projections;
    }

    @Override
    public String peftPrefix() {
        return "base_model.model.";
    }

    @Override
    public List<String> defaultLoraTargets() {
        return PROJECTIONS;
    }

    @Override
    public void close() {
        manager.close();
    }

    private NDArray weight(String name, long... shape) {
        return ModelWeights.require(weights, name, shape);
    }

    private RmsNorm rmsNorm(String path) {
        return new RmsNorm(weight(path + ".weight", config.embedDim()), config.rmsNormEps());
    }

    private Projection linear(Map<String, Projection> all, String path, long out, long in, boolean bias) {
        Projection linear = precision.apply(
                new Linear(path, weight(path + ".weight", out, in), bias ? weight(path + ".bias", out) : null));
        all.put(path, linear);
        return linear;
    }

    private static void putLinear(Map<String, NDArray> w, NDManager m, SplittableRandom rng, String path, long out,
                                  long in, boolean bias) {
        w.put(path + ".weight", ModelWeights.normal(m, rng, 0.02f, out, in));
        if (bias) {
            w.put(path + ".bias", m.zeros(new Shape(out)));
        }
    }
}
