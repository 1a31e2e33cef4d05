package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GPT-2's forward (the math of {@link Gpt2Model}) in Java over a packed step ({@link PackedTokens}): every token of
 * the step in one [N, C] matrix, no padding, each with its own cache slot, position and adapter, so prompt chunks and
 * decoding tokens share one pass. For serving small models, where the hundreds of PyTorch ops per step cost more in
 * dispatch than in arithmetic. Inference only; float32 accumulation; the frozen weights as the model holds them
 * (float32, or its bf16 copies). Thread-safe for concurrent steps on different caches.
 */
public final class PackedGpt2 {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final float GELU_K = (float) Math.sqrt(2.0 / Math.PI);
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    /** A block's projection: W [out, in], bias [out]; {@code path} is the module LoRA targets. */
    record Dense(String path, FrozenMatrix weight, float[] bias) {
    }

    /** ln_1, ln_2, ln_f. */
    record Norm(float[] weight, float[] bias, float epsilon) {

        /** Normalises each row of x [rows, C] into out. */
        void apply(float[] x, float[] out, int rows) {
            int c = weight.length;
            for (int r = 0; r < rows; r++) {
                int o = r * c;
                float mean = 0;
                for (int i = 0; i < c; i++) {
                    mean += x[o + i];
                }
                mean /= c;
                float var = 0;
                for (int i = 0; i < c; i++) {
                    float d = x[o + i] - mean;
                    var += d * d;
                }
                float inv = (float) (1.0 / Math.sqrt(var / c + epsilon));
                for (int i = 0; i < c; i++) {
                    out[o + i] = (x[o + i] - mean) * inv * weight[i] + bias[i];
                }
            }
        }
    }

    /** One block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
    record Layer(Norm ln1, Dense cAttn, Dense attnProj, Norm ln2, Dense cFc, Dense mlpProj) {
    }

    private final int c;
    private final int heads;
    private final int headDim;
    private final int vocab;
    private final int context;
    private final float scale;
    private final float[] wte; // [V, C]
    private final float[] wpe; // [P, C]
    private final List<Layer> h;
    private final Norm lnF;
    private final FrozenMatrix head; // wte as [V, C]

    private PackedGpt2(Gpt2Config config, float[] wte, float[] wpe, List<Layer> h, Norm lnF, FrozenMatrix head) {
        this.c = config.embedDim();
        this.heads = config.heads();
        this.headDim = config.headDim();
        this.vocab = config.vocabSize();
        this.context = config.contextLength();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.wte = wte;
        this.wpe = wpe;
        this.h = h;
        this.lnF = lnF;
        this.head = head;
    }

    /** The Java engine over {@code model}'s frozen weights (copied to Java arrays once; bf16 copies reused). */
    public static PackedGpt2 of(CausalLm model) {
        if (!(model instanceof Gpt2Model gpt2)) {
            throw new IllegalArgumentException("the Java engine runs the GPT-2 family, not "
                    + model.getClass().getSimpleName());
        }
        Gpt2Config config = gpt2.config();
        Map<String, NDArray> w = gpt2.weights();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            Map<String, Projection> proj = gpt2.projections();
            layers.add(new Layer(norm(w, p + "ln_1", config), frozen(proj.get(p + "attn.c_attn")),
                    frozen(proj.get(p + "attn.c_proj")), norm(w, p + "ln_2", config), frozen(proj.get(p + "mlp.c_fc")),
                    frozen(proj.get(p + "mlp.c_proj"))));
        }
        float[] wte = w.get("wte.weight").toFloatArray();
        // The head is tied to wte: the model's bf16 copy of it, or the same f32 array the embedding reads.
        FrozenMatrix head = gpt2.head() instanceof Bf16Projection b ? b.weight16()
                : new F32Matrix(wte, config.vocabSize(), config.embedDim());
        PackedGpt2 engine = new PackedGpt2(config, wte, w.get("wpe.weight").toFloatArray(), List.copyOf(layers),
                norm(w, "ln_f", config), head);
        engine.warmUp();
        return engine;
    }

    /**
     * Runs small steps until the JIT has compiled the whole forward with the Vector API intrinsics (bounded by
     * {@link #WARM_UP_NANOS}): uncompiled, each vector op is a heap object (a profile of a freshly started replica
     * showed the API's fallback templates on most of the decoding thread's samples). Done when the engine is made,
     * before serving reports ready; it also warms the kernels every projection uses.
     */
    private void warmUp() {
        PackedKvCache scratch = newCache(1);
        long deadline = System.nanoTime() + WARM_UP_NANOS;
        for (int i = 0; i < 500 && System.nanoTime() < deadline; i++) {
            int n = 1 + i % 8;
            long[] ids = new long[n];
            int[] positions = new int[n];
            for (int t = 0; t < n; t++) {
                ids[t] = (i + t) % vocab;
                positions[t] = t;
            }
            forward(new PackedTokens(ids, new int[n], positions, java.util.Collections.nCopies(n, null),
                    new int[] {n - 1}), scratch);
        }
    }

    /** A cache for {@code slots} sequences of up to the model's context. */
    public PackedKvCache newCache(int slots) {
        return new PackedKvCache(h.size(), slots, c, context);
    }

    public int vocabSize() {
        return vocab;
    }

    /**
     * Runs the step: stores every token's keys and values in its slot at its position, and returns the next-token
     * logits of {@code tokens.logitRows()}, [R, V] row-major.
     */
    public float[] forward(PackedTokens tokens, PackedKvCache cache) {
        int n = tokens.size();
        float[] x = new float[n * c]; // [N, C]
        for (int t = 0; t < n; t++) {
            int id = Math.toIntExact(tokens.ids()[t]);
            int pos = tokens.positions()[t];
            if (id < 0 || id >= vocab || pos < 0 || pos >= context) {
                throw new IllegalArgumentException("token " + id + " at position " + pos + " is outside the model");
            }
            for (int i = 0; i < c; i++) {
                x[t * c + i] = wte[id * c + i] + wpe[pos * c + i];
            }
        }
        float[] normed = new float[n * c];
        for (int l = 0; l < h.size(); l++) {
            Layer layer = h.get(l);
            layer.ln1().apply(x, normed, n);
            float[] qkv = dense(layer.cAttn(), normed, tokens); // [N, 3C]
            for (int t = 0; t < n; t++) {
                cache.write(l, tokens.slots()[t], tokens.positions()[t], qkv, t * 3 * c + c, t * 3 * c + 2 * c);
            }
            add(x, dense(layer.attnProj(), attend(l, qkv, tokens, cache), tokens));
            layer.ln2().apply(x, normed, n);
            float[] hidden = dense(layer.cFc(), normed, tokens); // [N, 4C]
            geluNew(hidden);
            add(x, dense(layer.mlpProj(), hidden, tokens));
        }
        int[] rows = tokens.logitRows();
        float[] last = new float[rows.length * c]; // [R, C]
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(x, rows[r] * c, last, r * c, c);
        }
        lnF.apply(last, last, rows.length);
        return head.times(last, rows.length, null); // [R, V]
    }

    /** softmax(q·kᵀ/√D)·v per token and head over its slot's positions 0..pos. @return [N, C] */
    private float[] attend(int layer, float[] qkv, PackedTokens tokens, PackedKvCache cache) {
        int n = tokens.size();
        float[] y = new float[n * c];
        long work = 0;
        for (int pos : tokens.positions()) {
            work += (long) (pos + 1) * c * 2;
        }
        KernelPool.run(n, work, (from, to) -> {
            float[] scores = new float[context];
            for (int t = from; t < to; t++) {
                int slot = tokens.slots()[t];
                int span = tokens.positions()[t] + 1;
                float[] k = cache.keys(layer, slot);
                float[] v = cache.values(layer, slot);
                for (int hd = 0; hd < heads; hd++) {
                    int q = t * 3 * c + hd * headDim;
                    int off = hd * headDim;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int p = 0; p < span; p++) {
                        scores[p] = F32Kernel.dot(qkv, q, k, p * c + off, headDim) * scale;
                        max = Math.max(max, scores[p]);
                    }
                    float sum = 0;
                    for (int p = 0; p < span; p++) {
                        scores[p] = (float) Math.exp(scores[p] - max);
                        sum += scores[p];
                    }
                    float inv = 1 / sum;
                    for (int p = 0; p < span; p++) {
                        F32Kernel.axpy(scores[p] * inv, v, p * c + off, y, t * c + off, headDim);
                    }
                }
            }
        });
        return y;
    }

    /** The base projection for every token, then each token's own LoRA update where its adapter targets it. */
    private static float[] dense(Dense d, float[] in, PackedTokens tokens) {
        int n = tokens.size();
        float[] y = d.weight().times(in, n, d.bias());
        List<Map<String, LowRank>> adapters = tokens.adapters();
        for (int t = 0; t < n; t++) {
            Map<String, LowRank> a = adapters.get(t);
            LowRank update = a == null ? null : a.get(d.path());
            if (update != null) {
                update.addTo(in, t * d.weight().in(), y, t * d.weight().out());
            }
        }
        return y;
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) {
            x[i] += delta[i];
        }
    }

    /** gelu_new in place: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    private static void geluNew(float[] x) {
        int i = 0;
        for (; i + F.length() <= x.length; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector inner = v.mul(v).mul(0.044715f).add(1f).mul(v).mul(GELU_K);
            v.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f)).intoArray(x, i);
        }
        for (; i < x.length; i++) {
            float v = x[i];
            x[i] = (float) (0.5 * v * (1 + Math.tanh(GELU_K * (v + 0.044715 * v * v * v))));
        }
    }

    private static Norm norm(Map<String, NDArray> w, String name, Gpt2Config config) {
        return new Norm(w.get(name + ".weight").toFloatArray(), w.get(name + ".bias").toFloatArray(),
                config.layerNormEpsilon());
    }

    /** A frozen projection as the Java kernels multiply it: its bf16 copy when the model has one, else f32 [out, in]. */
    private static Dense frozen(Projection p) {
        if (p instanceof Bf16Projection b) {
            return new Dense(p.path(), b.weight16(), b.bias());
        }
        Conv1D conv = (Conv1D) p;
        return new Dense(p.path(), F32Matrix.ofInOut(conv.weight().toFloatArray(), (int) conv.inFeatures(),
                (int) conv.outFeatures()), conv.bias().toFloatArray());
    }
}
