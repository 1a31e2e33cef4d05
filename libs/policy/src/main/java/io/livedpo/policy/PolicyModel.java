package io.livedpo.policy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.LoadedAdapter;
import io.livedpo.policy.checkpoint.ModelFingerprint;
import io.livedpo.policy.generate.DecodeEngine;
import io.livedpo.policy.io.AtomicFiles;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.BasePrecision;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.PackedGpt2;
import io.livedpo.policy.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A base model directory opened for use: weights, tokenizer and the fingerprint adapters are checked against. Adapters
 * loaded through it share its weights.
 */
public final class PolicyModel implements AutoCloseable {

    /** What Hugging Face keeps next to the weights to describe the tokenizer. */
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.json", "merges.txt", "generation_config.json", "chat_template.jinja");

    private final Path dir;
    private final NDManager manager;
    private final CausalLm model;
    private final TextTokenizer tokenizer;
    private final String fingerprint;
    private PackedGpt2 packed; // the Java engine's copy of the weights, made on first use

    private PolicyModel(Path dir, NDManager manager, CausalLm model, TextTokenizer tokenizer, String fingerprint) {
        this.dir = dir;
        this.manager = manager;
        this.model = model;
        this.tokenizer = tokenizer;
        this.fingerprint = fingerprint;
    }

    /** On the engine's default device: the first GPU when the loaded natives see one, else the CPU. */
    public static PolicyModel open(Path dir) throws IOException {
        return open(dir, null);
    }

    /**
     * On {@code device} ({@code null}: the engine's default). Every tensor of this model, of its adapters and of the
     * math done with them comes from this model's manager or its sub-managers, so they all live on that device.
     */
    public static PolicyModel open(Path dir, Device device) throws IOException {
        return open(dir, device, BasePrecision.F32);
    }

    /**
     * With the frozen base multiplied at {@code precision}: {@link BasePrecision#BF16} is for inference on the CPU
     * (serving, generation); training needs F32.
     */
    public static PolicyModel open(Path dir, Device device, BasePrecision precision) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        if (precision != BasePrecision.F32 && !Device.Type.CPU.equals(manager.getDevice().getDeviceType())) {
            manager.close();
            throw new IllegalArgumentException("base precision " + precision + " runs on the CPU only, not on "
                    + manager.getDevice());
        }
        try {
            CausalLm model = CausalLm.load(dir, manager, precision);
            return new PolicyModel(dir, manager, model, TextTokenizer.load(dir), ModelFingerprint.of(dir));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Reads an adapter directory, refusing one made for another base model or whose weights fail their hash. */
    public LoraAdapter loadAdapter(Path adapterDir) throws IOException {
        try (NDManager staging = manager.newSubManager()) {
            LoadedAdapter loaded = AdapterCheckpoint.read(adapterDir, staging, fingerprint);
            // fromPeft moves the tensors it uses onto the adapter's own manager; closing staging frees the rest.
            return LoraAdapter.fromPeft(model, loaded.config(), loaded.tensors(), manager);
        }
    }

    /**
     * Writes base + adapter folded together as a full HF-layout model directory (config, weights, tokenizer files),
     * atomically: for users who want the tuned model without LiveDPO.
     */
    public void exportMerged(LoraAdapter adapter, Path out) throws IOException {
        AtomicFiles.writeDirectory(out, tmp -> {
            try (NDManager scratch = manager.newSubManager()) {
                Map<String, NDArray> merged = new LinkedHashMap<>(model.weights());
                merged.putAll(adapter.mergedWeights(model, scratch));
                model.writeFiles(tmp, merged);
            }
            for (String file : TOKENIZER_FILES) {
                if (Files.isRegularFile(dir.resolve(file))) {
                    Files.copy(dir.resolve(file), tmp.resolve(file));
                }
            }
            return null;
        });
    }

    public Path dir() {
        return dir;
    }

    public NDManager manager() {
        return manager;
    }

    public CausalLm model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The Java engine over this base ({@link PackedGpt2}; the GPT-2 family only), made once: its weight copy and the
     * kernel's warm-up happen on the first call, so call it before serving when that engine is chosen.
     */
    public synchronized PackedGpt2 packed() {
        if (packed == null) {
            // Checked before PackedGpt2 loads: its kernels' classes cannot load without the Vector API module.
            String whyNot = DecodeEngine.JAVA.whyNot(model);
            if (whyNot != null) {
                throw new IllegalStateException(whyNot);
            }
            packed = PackedGpt2.of(model);
        }
        return packed;
    }

    /** "sha256:…" of config.json and the weight files. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
