package io.livedpo.policy.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.model.Adapter;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.LowRank;
import io.livedpo.policy.model.Projection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A policy's low-rank update of the base model's projections (Hu et al., 2021), applied by wrapping each target
 * projection as PEFT injects LoRA. It owns only A and B; the base weights stay shared and frozen, so a forward without
 * the adapter is the DPO reference and several policies can serve from one copy of the base.
 */
public final class LoraAdapter implements Adapter, AutoCloseable {

    private final LoraConfig config;
    private final NDManager manager;
    private final String peftPrefix;
    private final Map<String, Pair> pairs; // module path ("model.layers.0.self_attn.q_proj") -> A, B

    /** A [r, in] and B [out, r], named as PEFT's lora_A / lora_B nn.Linear weights. */
    public record Pair(NDArray a, NDArray b) {
    }

    private LoraAdapter(LoraConfig config, NDManager manager, String peftPrefix, Map<String, Pair> pairs) {
        this.config = config;
        this.manager = manager;
        this.peftPrefix = peftPrefix;
        this.pairs = pairs;
    }

    /**
     * A fresh adapter: A as PEFT initialises it (Kaiming-uniform, bound 1/sqrt(in)), B zero, so it reproduces the base
     * exactly until trained.
     */
    public static LoraAdapter create(CausalLm base, LoraConfig config, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Pair> pairs = new LinkedHashMap<>();
        for (Projection p : targets(base, config)) {
            long in = p.inFeatures();
            float bound = (float) (1.0 / Math.sqrt(in));
            float[] a = new float[Math.toIntExact(config.rank() * in)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            pairs.put(p.path(), new Pair(manager.create(a, new Shape(config.rank(), in)),
                    manager.zeros(new Shape(p.outFeatures(), config.rank()))));
        }
        return trainable(new LoraAdapter(config, manager, base.peftPrefix(), pairs));
    }

    /** An adapter from PEFT-named tensors (as read from adapter_model.safetensors); checks every shape. */
    public static LoraAdapter fromPeft(CausalLm base, LoraConfig config, Map<String, NDArray> tensors,
                                       NDManager parent) {
        NDManager manager = parent.newSubManager();
        try {
            Map<String, Pair> pairs = new LinkedHashMap<>();
            String prefix = base.peftPrefix();
            for (Projection p : targets(base, config)) {
                NDArray a = tensor(tensors, prefix + p.path(), "lora_A", new Shape(config.rank(), p.inFeatures()));
                NDArray b = tensor(tensors, prefix + p.path(), "lora_B", new Shape(p.outFeatures(), config.rank()));
                a.attach(manager);
                b.attach(manager);
                pairs.put(p.path(), new Pair(a, b));
            }
            return trainable(new LoraAdapter(config, manager, prefix, pairs));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static LoraAdapter trainable(LoraAdapter adapter) {
        adapter.parameters().forEach(p -> p.setRequiresGradient(true));
        return adapter;
    }

    /** The target projections wrapped with their update; others unchanged. */
    @Override
    public Projection wrap(Projection base) {
        Pair p = pairs.get(base.path());
        return p == null ? base : new LoraProjection(base, p.a(), p.b(), config.scaling());
    }

    /** A and B of the module at {@code path}, or null when this adapter does not target it. */
    Pair pair(String path) {
        return pairs.get(path);
    }

    /**
     * This adapter's updates as Java arrays for the Java engine ({@code PackedGpt2}), by module path: a snapshot, so
     * only for an adapter that no longer trains (a served version).
     */
    public Map<String, LowRank> lowRanks() {
        Map<String, LowRank> out = new LinkedHashMap<>();
        pairs.forEach((path, p) -> {
            Shape a = p.a().getShape(); // [r, in]
            Shape b = p.b().getShape(); // [out, r]
            out.put(path, LowRank.of(p.a().toFloatArray(), p.b().toFloatArray(), (int) a.get(0), (int) a.get(1),
                    (int) b.get(0), config.scaling()));
        });
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A and B of every target module, in a fixed order: what the optimiser updates. */
    public List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>();
        pairs.values().forEach(p -> {
            out.add(p.a());
            out.add(p.b());
        });
        return out;
    }

    /** Tensors by PEFT name ({@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}), shared memory. */
    public Map<String, NDArray> peftTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        pairs.forEach((path, p) -> {
            out.put(peftPrefix + path + ".lora_A.weight", p.a());
            out.put(peftPrefix + path + ".lora_B.weight", p.b());
        });
        return out;
    }

    /**
     * The base's weights with this adapter folded in, W + B·A·(alpha/r) in each weight's stored layout, by weight name
     * ({@code <path>.weight}); only the targeted ones. New arrays, on {@code manager}.
     */
    public Map<String, NDArray> mergedWeights(CausalLm base, NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        pairs.forEach((path, p) -> {
            NDArray merged = base.projections().get(path).weightPlus(p.b().matMul(p.a()).mul(config.scaling()));
            merged.attach(manager);
            out.put(path + ".weight", merged);
        });
        return out;
    }

    /**
     * A copy of this adapter that takes no gradient: a moving DPO reference (TR-DPO) starts as the policy it follows.
     * Its own arrays, on a sub-manager of {@code parent}; close it when done.
     */
    public LoraAdapter frozenCopy(NDManager parent) {
        NDManager copies = parent.newSubManager();
        Map<String, Pair> copied = new LinkedHashMap<>();
        pairs.forEach((path, p) -> copied.put(path, new Pair(detachedCopy(p.a(), copies), detachedCopy(p.b(), copies))));
        return new LoraAdapter(config, copies, peftPrefix, copied);
    }

    /**
     * Moves this (frozen) adapter toward {@code policy}: every A and B becomes α·policy + (1−α)·this, in place. α = 1
     * copies it (TR-DPO's hard update); a smaller α is the soft update applied to A and B separately, which for LoRA
     * is not the same mix of the products B·A — close to it while the two adapters are near each other.
     */
    public void moveToward(LoraAdapter policy, float alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
        }
        pairs.forEach((path, mine) -> {
            Pair theirs = policy.pairs.get(path);
            if (theirs == null) {
                throw new IllegalArgumentException("the policy adapter has no " + path);
            }
            blend(mine.a(), theirs.a(), alpha);
            blend(mine.b(), theirs.b(), alpha);
        });
    }

    private static void blend(NDArray target, NDArray toward, float alpha) {
        float[] t = target.toFloatArray();
        float[] p = toward.toFloatArray();
        for (int i = 0; i < t.length; i++) {
            t[i] = alpha * p[i] + (1 - alpha) * t[i];
        }
        target.set(t);
    }

    private static NDArray detachedCopy(NDArray source, NDManager manager) {
        NDArray copy = manager.create(source.toFloatArray(), source.getShape());
        copy.setRequiresGradient(false);
        return copy;
    }

    public LoraConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Refuses a config that targets no projection of {@code base}, naming the ones it has: for a start-up check. */
    public static void requireTargets(CausalLm base, LoraConfig config) {
        targets(base, config);
    }

    /** Projections the config targets, matched by suffix as PEFT matches target_modules. */
    static List<Projection> targets(CausalLm base, LoraConfig config) {
        List<Projection> out = new ArrayList<>();
        base.projections().forEach((path, p) -> {
            if (config.targetModules().stream().anyMatch(t -> path.equals(t) || path.endsWith("." + t))) {
                out.add(p);
            }
        });
        if (out.isEmpty()) {
            throw new IllegalArgumentException("LoRA target_modules " + config.targetModules()
                    + " match no projection of this model (its projections: " + base.defaultLoraTargets() + ")");
        }
        return out;
    }

    private static NDArray tensor(Map<String, NDArray> tensors, String module, String kind, Shape expected) {
        String name = module + "." + kind + ".weight";
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("adapter has no tensor '" + name + "'");
        }
        if (!a.getShape().equals(expected)) {
            throw new IllegalArgumentException(
                    "adapter tensor '" + name + "' has shape " + a.getShape() + ", expected " + expected);
        }
        return a;
    }
}
