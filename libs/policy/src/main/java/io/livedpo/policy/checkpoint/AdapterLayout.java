package io.livedpo.policy.checkpoint;

import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.lora.LoraConfig;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The tensors a LoRA adapter in PEFT layout must consist of, given its config. */
final class AdapterLayout {

    static final String A_SUFFIX = ".lora_A.weight";
    static final String B_SUFFIX = ".lora_B.weight";

    private AdapterLayout() {
    }

    /**
     * Empty when every tensor is an A [r, in] or B [out, r] of a target module and each A has its B; otherwise what is
     * wrong. Targets match by suffix, as in PEFT, so both {@code c_attn} and {@code attn.c_attn} work.
     */
    static Optional<String> problem(LoraConfig config, Map<String, Shape> shapes) {
        if (shapes.isEmpty()) {
            return Optional.of("it has no tensors");
        }
        Set<String> aModules = new TreeSet<>();
        Set<String> bModules = new TreeSet<>();
        for (Map.Entry<String, Shape> entry : shapes.entrySet()) {
            String name = entry.getKey();
            Shape shape = entry.getValue();
            boolean isA = name.endsWith(A_SUFFIX);
            if (!isA && !name.endsWith(B_SUFFIX)) {
                return Optional.of("tensor '" + name + "' is neither a lora_A nor a lora_B weight");
            }
            String module = name.substring(0, name.length() - (isA ? A_SUFFIX : B_SUFFIX).length());
            if (config.targetModules().stream().noneMatch(t -> module.equals(t) || module.endsWith("." + t))) {
                return Optional.of("tensor '" + name + "' is for a module outside target_modules "
                        + config.targetModules());
            }
            long rankDim = shape.dimension() == 2 ? shape.get(isA ? 0 : 1) : -1;
            if (rankDim != config.rank()) {
                return Optional.of("tensor '" + name + "' has shape " + shape + ", expected " + (isA ? "[r, in]"
                        : "[out, r]") + " with r = " + config.rank());
            }
            (isA ? aModules : bModules).add(module);
        }
        if (!aModules.equals(bModules)) {
            Set<String> unpaired = new TreeSet<>(aModules);
            unpaired.addAll(bModules);
            unpaired.removeIf(m -> aModules.contains(m) && bModules.contains(m));
            return Optional.of("modules " + unpaired + " lack their lora_A or lora_B weight");
        }
        return Optional.empty();
    }
}
