package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.io.AtomicFiles;
import io.livedpo.policy.io.CheckpointFiles;
import io.livedpo.policy.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GPT-2 (HF {@code GPT2LMHeadModel}): token + position embeddings, a stack of pre-norm blocks, a final layer norm and
 * an output head tied to the token embedding. The weights are the frozen base; an {@link Adapter} passed to
 * {@link #forward} wraps its projections with a policy's update, and passing none gives the reference model.
 */
public final class Gpt2Model implements CausalLm {

    /** Every Conv1D of a block, as HF names the modules: what LoRA can target. */
    public static final List<String> PROJECTIONS = List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");

    private final Gpt2Config config;
    private final NDManager manager;
    private final Map<String, NDArray> weights; // HF names without the "transformer." prefix
    private final NDArray wte; // [V, C]
    private final NDArray wpe; // [P, C]
    private final List<Block> h;
    private final LayerNorm lnF;
    private final Projection head; // tied to wte: [B, T, C] -> [B, T, V]
    private final Map<String, Projection> projections;
    private final BasePrecision precision;

    private Gpt2Model(Gpt2Config config, Map<String, NDArray> weights, NDManager manager, BasePrecision precision) {
        this.config = config;
        this.precision = precision;
        this.manager = manager;
        this.weights = Collections.unmodifiableMap(weights);
        this.wte = weight("wte.weight", config.vocabSize(), config.embedDim());
        this.wpe = weight("wpe.weight", config.contextLength(), config.embedDim());
        int c = config.embedDim();
        Map<String, Projection> convs = new LinkedHashMap<>();
        List<Block> blocks = new ArrayList<>();
        ScaledDotProduct sdp = ScaledDotProduct.of(manager, c / config.heads());
        GeluNew gelu = GeluNew.of(manager);
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            blocks.add(new Block(
                    layerNorm(p + "ln_1", c),
                    new CausalSelfAttention(conv1d(convs, p + "attn.c_attn", c, 3 * c),
                            conv1d(convs, p + "attn.c_proj", c, c), config.heads(), sdp),
                    layerNorm(p + "ln_2", c),
                    new Mlp(conv1d(convs, p + "mlp.c_fc", c, 4 * c), conv1d(convs, p + "mlp.c_proj", 4 * c, c),
                            gelu)));
        }
        this.h = List.copyOf(blocks);
        this.lnF = layerNorm("ln_f", c);
        this.head = precision.apply(new Linear("lm_head", wte, null));
        this.projections = Collections.unmodifiableMap(convs);
    }

    /**
     * Loads a directory in Hugging Face layout: config.json and model.safetensors or its shards (F32/F16/BF16, names
     * with or without "transformer."). The model owns a sub-manager of {@code parent}; close the model to free it.
     */
    public static Gpt2Model load(Path dir, NDManager parent) throws IOException {
        return load(dir, parent, BasePrecision.F32);
    }

    /** As {@link #load(Path, NDManager)}, its projections and head multiplied at {@code precision}. */
    public static Gpt2Model load(Path dir, NDManager parent, BasePrecision precision) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IOException("not a Hugging Face GPT-2 directory: missing " + configFile);
        }
        Gpt2Config config = Gpt2Config.read(configFile);
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> raw = CheckpointFiles.read(dir, manager);
            return new Gpt2Model(config, canonicalNames(raw, dir), manager, precision);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Builds a model from weights already in memory (HF names, either prefix); it takes over their manager's arrays. */
    public static Gpt2Model of(Gpt2Config config, Map<String, NDArray> weights, NDManager parent) throws IOException {
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> canonical = canonicalNames(weights, Path.of("<memory>"));
        canonical.values().forEach(a -> a.attach(manager));
        return new Gpt2Model(config, canonical, manager, BasePrecision.F32);
    }

    /** Fresh weights as HF's GPT-2 initialises them: N(0, 0.02), residual projections scaled by 1/sqrt(2·layers). */
    public static Gpt2Model random(Gpt2Config config, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        SplittableRandom rng = new SplittableRandom(seed);
        int c = config.embedDim();
        float residualStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        Map<String, NDArray> w = new LinkedHashMap<>();
        w.put("wte.weight", normal(manager, rng, 0.02f, config.vocabSize(), c));
        w.put("wpe.weight", normal(manager, rng, 0.01f, config.contextLength(), c));
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            putLayerNorm(w, manager, p + "ln_1", c);
            w.put(p + "attn.c_attn.weight", normal(manager, rng, 0.02f, c, 3 * c));
            w.put(p + "attn.c_attn.bias", manager.zeros(new Shape(3 * c)));
            w.put(p + "attn.c_proj.weight", normal(manager, rng, residualStd, c, c));
            w.put(p + "attn.c_proj.bias", manager.zeros(new Shape(c)));
            putLayerNorm(w, manager, p + "ln_2", c);
            w.put(p + "mlp.c_fc.weight", normal(manager, rng, 0.02f, c, 4 * c));
            w.put(p + "mlp.c_fc.bias", manager.zeros(new Shape(4 * c)));
            w.put(p + "mlp.c_proj.weight", normal(manager, rng, residualStd, 4 * c, c));
            w.put(p + "mlp.c_proj.bias", manager.zeros(new Shape(c)));
        }
        putLayerNorm(w, manager, "ln_f", c);
        return new Gpt2Model(config, w, manager, BasePrecision.F32);
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, Adapter adapter, CacheStep cache,
                           boolean lastOnly) {
        long t = inputIds.getShape().get(1);
        NDArray positions = cache != null ? cache.positions() // [B, T]
                : AttentionMask.positions(attentionMask, t, config.contextLength());
        NDArray x = Embedding.lookup(inputIds, wte).add(Embedding.lookup(positions, wpe)); // [B, T, C]
        NDArray maskBias = cache != null ? cache.bias() : AttentionMask.bias(attentionMask, t); // [B, 1, T, S]
        for (int i = 0; i < h.size(); i++) {
            Block block = adapter == null ? h.get(i) : h.get(i).adapted(adapter);
            x = block.forward(x, maskBias, cache == null ? null : cache.layer(i)); // [B, T, C]
        }
        if (lastOnly) {
            x = cache != null ? cache.lastTokens(x) : x.get(new NDIndex(":, -1:, :")); // [B, 1, C]
        }
        return head.forward(lnF.forward(x)); // [B, T, C] @ [C, V] -> [B, T, V]
    }

    /**
     * Writes config.json and model.safetensors into {@code dir}, which must not exist yet: the directory appears whole
     * or not at all. Tokenizer files are the caller's to add (see {@link #writeFiles}).
     */
    public void save(Path dir) throws IOException {
        AtomicFiles.writeDirectory(dir, tmp -> {
            writeFiles(tmp, weights, config);
            return null;
        });
    }

    /** Writes {@code weights} (HF names without prefix) as config.json + model.safetensors (F32, "transformer." names). */
    public static void writeFiles(Path dir, Map<String, NDArray> weights, Gpt2Config config) throws IOException {
        Map<String, NDArray> prefixed = new LinkedHashMap<>();
        weights.forEach((name, w) -> prefixed.put("transformer." + name, w));
        config.write(dir.resolve("config.json"));
        Safetensors.write(dir.resolve("model.safetensors"), prefixed, Map.of("format", "pt"));
    }

    @Override
    public void writeFiles(Path dir, Map<String, NDArray> weights) throws IOException {
        writeFiles(dir, weights, config);
    }

    @Override
    public Gpt2Config config() {
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

    /** Base weights by HF name without the "transformer." prefix (read-only view). */
    @Override
    public Map<String, NDArray> weights() {
        return weights;
    }

    /** Every Conv1D by module path ({@code h.0.attn.c_attn}), in layer order. */
    @Override
    public Map<String, Projection> projections() {
        return projections;
    }

    /** The output head (tied to wte), as this model multiplies it: the Java engine reuses its frozen form. */
    Projection head() {
        return head;
    }

    @Override
    public String peftPrefix() {
        return "base_model.model.transformer.";
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

    private LayerNorm layerNorm(String name, int c) {
        return new LayerNorm(weight(name + ".weight", c), weight(name + ".bias", c), config.layerNormEpsilon());
    }

    private Projection conv1d(Map<String, Projection> all, String path, int in, int out) {
        Projection conv = precision.apply(new Conv1D(path, weight(path + ".weight", in, out), weight(path + ".bias", out)));
        all.put(path, conv);
        return conv;
    }

    /**
     * Strips the optional "transformer." prefix and drops what GPT-2 checkpoints carry besides weights: the causal-mask
     * buffers (attn.bias, attn.masked_bias) and lm_head, which is tied to wte.
     */
    private static Map<String, NDArray> canonicalNames(Map<String, NDArray> raw, Path source) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : raw.entrySet()) {
            String name = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length())
                    : e.getKey();
            if (name.equals("lm_head.weight") || name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")) {
                e.getValue().close();
                continue;
            }
            if (out.put(name, e.getValue()) != null) {
                throw new IOException(source + ": weight '" + name + "' appears twice (with and without prefix)");
            }
        }
        return out;
    }

    private static void putLayerNorm(Map<String, NDArray> w, NDManager m, String name, int c) {
        w.put(name + ".weight", m.ones(new Shape(c)));
        w.put(name + ".bias", m.zeros(new Shape(c)));
    }

    private static NDArray normal(NDManager m, SplittableRandom rng, float std, long rows, long cols) {
        return ModelWeights.normal(m, rng, std, rows, cols);
    }
}
