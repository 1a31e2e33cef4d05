package io.livedpo.policy.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.model.Gpt2Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A policy's low-rank update of the base model's projections (Hu et al., 2021). It owns only A and B; the base
 * weights stay shared and frozen, so a forward without the adapter is the DPO reference and several policies can
 * serve from one copy of the base.
 */
public final class LoraAdapter implements AutoCloseable {

    private static final String PEFT_PREFIX = "base_model.model.transformer.";

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, Pair> pairs; // module path ("h.0.attn.c_attn") -> A, B

    /** A [r, in] and B [out, r], named as PEFT's lora_A / lora_B nn.Linear weights. */
    public record Pair(NDArray a, NDArray b) {
    }

    private LoraAdapter(LoraConfig config, NDManager manager, Map<String, Pair> pairs) {
        this.config = config;
        this.manager = manager;
        this.pairs = pairs;
    }

    /**
     * A fresh adapter: A as PEFT initialises it (Kaiming-uniform, bound 1/sqrt(in)), B zero, so it reproduces the base
     * exactly until trained.
     */
    public static LoraAdapter create(Gpt2Model base, LoraConfig config, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Pair> pairs = new LinkedHashMap<>();
        for (String path : targets(base, config)) {
            Shape w = base.projection(path).getShape(); // [in, out]
            long in = w.get(0);
            long out = w.get(1);
            float bound = (float) (1.0 / Math.sqrt(in));
            float[] a = new float[Math.toIntExact(config.rank() * in)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            pairs.put(path, new Pair(manager.create(a, new Shape(config.rank(), in)),
                    manager.zeros(new Shape(out, config.rank()))));
        }
        return trainable(new LoraAdapter(config, manager, pairs));
    }

    /** An adapter from PEFT-named tensors (as read from adapter_model.safetensors); checks every shape. */
    public static LoraAdapter fromPeft(Gpt2Model base, LoraConfig config, Map<String, NDArray> tensors,
                                       NDManager parent) {
        NDManager manager = parent.newSubManager();
        try {
            Map<String, Pair> pairs = new LinkedHashMap<>();
            for (String path : targets(base, config)) {
                Shape w = base.projection(path).getShape();
                NDArray a = tensor(tensors, path, "lora_A", new Shape(config.rank(), w.get(0)));
                NDArray b = tensor(tensors, path, "lora_B", new Shape(w.get(1), config.rank()));
                a.attach(manager);
                b.attach(manager);
                pairs.put(path, new Pair(a, b));
            }
            return trainable(new LoraAdapter(config, manager, pairs));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static LoraAdapter trainable(LoraAdapter adapter) {
        adapter.parameters().forEach(p -> p.setRequiresGradient(true));
        return adapter;
    }

    /** The update for one module, x·Aᵀ·Bᵀ·(alpha/r), or null when the module is not a target. */
    public NDArray delta(String path, NDArray x) {
        Pair p = pairs.get(path);
        if (p == null) {
            return null;
        }
        NDArray down = x.matMul(p.a().transpose()); // [B, T, in] @ [in, r] -> [B, T, r]
        return down.matMul(p.b().transpose()).mul(config.scaling()); // [B, T, r] @ [r, out] -> [B, T, out]
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

    /** Tensors by PEFT name (base_model.model.transformer.h.0.attn.c_attn.lora_A.weight), sharing this adapter's memory. */
    public Map<String, NDArray> peftTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        pairs.forEach((path, p) -> {
            out.put(PEFT_PREFIX + path + ".lora_A.weight", p.a());
            out.put(PEFT_PREFIX + path + ".lora_B.weight", p.b());
        });
        return out;
    }

    /** The base's Conv1D weight with this adapter folded in: W + (B·A)ᵀ·(alpha/r), [in, out]; null for non-targets. */
    public NDArray mergedWeight(String path, NDArray baseWeight) {
        Pair p = pairs.get(path);
        if (p == null) {
            return null;
        }
        return baseWeight.add(p.b().matMul(p.a()).transpose().mul(config.scaling())); // [in, out]
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

    /** Module paths the config targets, matched by suffix as PEFT matches target_modules. */
    static List<String> targets(Gpt2Model base, LoraConfig config) {
        List<String> out = new ArrayList<>();
        for (String path : base.projectionPaths()) {
            if (config.targetModules().stream().anyMatch(t -> path.equals(t) || path.endsWith("." + t))) {
                out.add(path);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("LoRA target_modules " + config.targetModules()
                    + " match no GPT-2 projection (c_attn, c_proj, c_fc)");
        }
        return out;
    }

    private static NDArray tensor(Map<String, NDArray> tensors, String path, String kind, Shape expected) {
        String name = PEFT_PREFIX + path + "." + kind + ".weight";
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
