package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.livedpo.policy.io.AtomicFiles;
import io.livedpo.policy.io.Safetensors;
import io.livedpo.policy.lora.LoraAdapter;
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
 * an output head tied to the token embedding. The weights are the frozen base; a {@link LoraAdapter} passed to
 * {@link #forward} adds a policy's update, and passing none gives the reference model.
 */
public final class Gpt2Model implements AutoCloseable {

    private final Gpt2Config config;
    private final NDManager manager;
    private final Map<String, NDArray> weights; // HF names without the "transformer." prefix
    private final NDArray wte; // [V, C]
    private final NDArray wpe; // [P, C]
    private final List<Block> h;
    private final LayerNorm lnF;

    private Gpt2Model(Gpt2Config config, Map<String, NDArray> weights, NDManager manager) {
        this.config = config;
        this.manager = manager;
        this.weights = Collections.unmodifiableMap(weights);
        this.wte = weight("wte.weight", config.vocabSize(), config.embedDim());
        this.wpe = weight("wpe.weight", config.contextLength(), config.embedDim());
        int c = config.embedDim();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            blocks.add(new Block(
                    layerNorm(p + "ln_1", c),
                    new CausalSelfAttention(conv1d(p + "attn.c_attn", c, 3 * c), conv1d(p + "attn.c_proj", c, c),
                            config.heads()),
                    layerNorm(p + "ln_2", c),
                    new Mlp(conv1d(p + "mlp.c_fc", c, 4 * c), conv1d(p + "mlp.c_proj", 4 * c, c))));
        }
        this.h = List.copyOf(blocks);
        this.lnF = layerNorm("ln_f", c);
    }

    /**
     * Loads a directory in Hugging Face layout: config.json and model.safetensors (F32/F16/BF16, names with or
     * without "transformer."). The model owns a sub-manager of {@code parent}; close the model to free it.
     */
    public static Gpt2Model load(Path dir, NDManager parent) throws IOException {
        Path configFile = dir.resolve("config.json");
        Path weightsFile = dir.resolve("model.safetensors");
        for (Path f : List.of(configFile, weightsFile)) {
            if (!Files.isRegularFile(f)) {
                throw new IOException("not a Hugging Face GPT-2 directory: missing " + f);
            }
        }
        Gpt2Config config = Gpt2Config.read(configFile);
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> raw = Safetensors.read(weightsFile, manager);
            return new Gpt2Model(config, canonicalNames(raw, weightsFile), manager);
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
        return new Gpt2Model(config, canonical, manager);
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
        return new Gpt2Model(config, w, manager);
    }

    /**
     * The whole forward pass.
     *
     * @param inputIds      [B, T] int64 token ids of this step (all of them, or the newest one when decoding)
     * @param attentionMask [B, S] int64, 1 = real token, 0 = padding, over cached + new positions (S = past + T)
     * @param adapter       the policy's LoRA update, or null for the base (the DPO reference)
     * @param cache         keys/values of earlier steps, extended in place; null to attend only within inputIds
     * @param lastOnly      compute logits for the last position only (generation needs no more)
     * @return logits [B, T, V], or [B, 1, V] with lastOnly
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, LoraAdapter adapter, KvCache cache,
                           boolean lastOnly) {
        long t = inputIds.getShape().get(1);
        long s = attentionMask.getShape().get(1);
        long past = s - t;
        // Positions count real tokens only, so a left-padded prompt starts at 0 as it would alone (HF generate does this).
        NDArray positions = attentionMask.cumSum(1).sub(1).maximum(0).get(new NDIndex(":, {}:", past)); // [B, T]
        long lastPosition = positions.max().getLong();
        if (lastPosition >= config.contextLength()) {
            throw new IllegalArgumentException("sequence of " + (lastPosition + 1)
                    + " tokens exceeds the model's context of " + config.contextLength());
        }
        NDArray x = embed(inputIds, wte).add(embed(positions, wpe)); // [B, T, C]
        NDArray maskBias = maskBias(attentionMask, t, past); // [B, 1, T, S]
        for (int i = 0; i < h.size(); i++) {
            x = h.get(i).forward(x, maskBias, adapter, cache == null ? null : cache.layer(i)); // [B, T, C]
        }
        if (lastOnly) {
            x = x.get(new NDIndex(":, -1:, :")); // [B, 1, C]
        }
        return lnF.forward(x).matMul(wte.transpose()); // [B, T, C] @ [C, V] -> [B, T, V]
    }

    /**
     * Causal and padding mask as an additive bias: query t (absolute position past + t) may see key s when
     * s <= past + t and s is a real token. Masked scores get the float minimum rather than -inf, as HF does, so a
     * padding query that may see no key gets a uniform row instead of NaN.
     */
    private static NDArray maskBias(NDArray attentionMask, long t, long past) {
        NDManager m = attentionMask.getManager();
        long s = attentionMask.getShape().get(1);
        NDArray keyPos = m.arange(s).reshape(1, 1, 1, s); // [1, 1, 1, S]
        NDArray queryPos = m.arange(past, past + t).reshape(1, 1, t, 1); // [1, 1, T, 1]
        NDArray causal = keyPos.lte(queryPos); // [1, 1, T, S]
        NDArray real = attentionMask.reshape(-1, 1, 1, s).gt(0); // [B, 1, 1, S]
        NDArray allowed = causal.logicalAnd(real).toType(DataType.FLOAT32, false); // [B, 1, T, S]
        return allowed.neg().add(1f).mul(-Float.MAX_VALUE); // [B, 1, T, S]
    }

    private static NDArray embed(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow(); // [B, T, C]
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

    public Gpt2Config config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** Base weights by HF name without the "transformer." prefix (read-only view). */
    public Map<String, NDArray> weights() {
        return weights;
    }

    /** Conv1D weight of a module path such as {@code h.0.attn.c_attn}: [in, out]. */
    public NDArray projection(String path) {
        return weights.get(path + ".weight");
    }

    /** Every Conv1D module path, in layer order: what LoRA can target. */
    public List<String> projectionPaths() {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            for (String m : List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")) {
                paths.add("h." + i + "." + m);
            }
        }
        return paths;
    }

    @Override
    public void close() {
        manager.close();
    }

    private NDArray weight(String name, long... shape) {
        NDArray a = weights.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing weight '" + name + "'");
        }
        if (!a.getShape().equals(new Shape(shape))) {
            throw new IllegalArgumentException(
                    "weight '" + name + "' has shape " + a.getShape() + ", config expects " + new Shape(shape));
        }
        if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("weight '" + name + "' is " + a.getDataType() + ", expected float32");
        }
        return a;
    }

    private LayerNorm layerNorm(String name, int c) {
        return new LayerNorm(weight(name + ".weight", c), weight(name + ".bias", c), config.layerNormEpsilon());
    }

    private Conv1D conv1d(String path, int in, int out) {
        return new Conv1D(path, weight(path + ".weight", in, out), weight(path + ".bias", out));
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
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian(rng) * std);
        }
        return m.create(v, new Shape(rows, cols));
    }

    /** Box–Muller on SplittableRandom: the same seed gives the same weights on every machine and engine. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
