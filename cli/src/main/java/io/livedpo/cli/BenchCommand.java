package io.livedpo.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.generate.Generator;
import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.policy.model.CausalLm;
import io.livedpo.policy.model.Gpt2Config;
import io.livedpo.policy.model.LlamaConfig;
import io.livedpo.policy.model.LmConfig;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.train.DpoTrainer;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.policy.train.TrainConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Throughput on this machine: the GEMM ceiling through DJL, then DPO steps and decoding on random-weight models of a
 * tiny, the GPT-2-small and the Qwen2.5-0.5B shape (built in memory, nothing downloaded). Each result is one JSON line; the median of the timed repetitions is reported.
 */
@Command(mixinStandardHelpOptions = true,
        name = "bench", description = "Measure GEMM GFLOP/s, DPO step time, pairs/s, achieved FLOP/s and decode"
        + " tokens/s (JSON lines).")
final class BenchCommand implements Callable<Integer> {

    /**
     * Shapes benchmarked: a small model the tests could train, GPT-2 small (124M), and Qwen2.5-0.5B (494M: GQA 14/2,
     * q/k/v bias, tied head, as its config.json says).
     */
    static final Map<String, LmConfig> SHAPES = Map.of(
            "tiny", new Gpt2Config(4096, 256, 128, 4, 4, 1e-5f, 4095, 4095),
            "gpt2-small", new Gpt2Config(50257, 1024, 768, 12, 12, 1e-5f, 50256, 50256),
            "qwen2.5-0.5b", new LlamaConfig("qwen2", 151936, 32768, 896, 4864, 24, 14, 2, 64, 1e-6f, 1_000_000.0, null,
                    true, false, false, true, 151643, 151643));

    @Spec
    CommandSpec spec;

    @Option(names = "--shape", defaultValue = "tiny,gpt2-small", split = ",",
            paramLabel = "tiny|gpt2-small|qwen2.5-0.5b")
    List<String> shapes;

    @Option(names = "--pairs", defaultValue = "4", paramLabel = "B", description = "pairs per DPO step")
    int pairs;

    @Option(names = "--seq-len", defaultValue = "128", paramLabel = "T", description = "prompt + completion tokens")
    int seqLen;

    @Option(names = "--steps", defaultValue = "3", paramLabel = "N", description = "timed repetitions")
    int steps;

    @Option(names = "--decode-tokens", defaultValue = "32", paramLabel = "N")
    int decodeTokens;

    @Option(names = "--decode-batches", defaultValue = "1,16", split = ",", paramLabel = "B")
    List<Integer> decodeBatches;

    @Override
    public Integer call() {
        for (String s : shapes) {
            if (!SHAPES.containsKey(s)) {
                throw new BadInputException("unknown shape '" + s + "' (tiny, gpt2-small, qwen2.5-0.5b)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager()) {
            double ceiling = gemm(manager, out);
            for (String name : shapes) {
                try (CausalLm model = CausalLm.random(SHAPES.get(name), 1L, manager)) {
                    dpo(name, model, ceiling, out);
                    decode(name, model, out);
                }
            }
        }
        return 0;
    }

    /** GEMM ceiling: [1024, 768] @ [768, 3072], GPT-2 small's MLP shape, in float32. */
    private double gemm(NDManager manager, PrintWriter out) {
        long m = 1024;
        long k = 768;
        long n = 3072;
        try (NDManager scope = manager.newSubManager(); NoGrad off = NoGrad.enter()) {
            NDArray a = scope.randomNormal(new Shape(m, k));
            NDArray b = scope.randomNormal(new Shape(k, n));
            double seconds = median(10, () -> {
                try (NDScope s = new NDScope()) {
                    a.matMul(b).getFloat(0, 0); // reading a value waits for the result
                }
            });
            double gflops = 2.0 * m * k * n / seconds / 1e9;
            Json.print(out, row("gemm", "shape", m + "x" + k + "x" + n, "seconds", seconds, "gflops", gflops));
            return gflops;
        }
    }

    private void dpo(String name, CausalLm model, double ceiling, PrintWriter out) {
        LmConfig c = model.config();
        int t = Math.min(seqLen, c.contextLength());
        LoraConfig lora = new LoraConfig(8, 16f, model.defaultLoraTargets());
        try (LoraAdapter adapter = LoraAdapter.create(model, lora, 1L, model.manager())) {
            DpoTrainer trainer = new DpoTrainer(model, adapter, TrainConfig.defaults());
            List<PreferenceExample> batch = randomPairs(c, pairs, t);
            trainer.step(batch); // warm-up: allocator, JIT, first-touch
            long cpuStart = processCpuNanos();
            double seconds = median(steps, () -> trainer.step(batch));
            double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9 / steps;
            long tokens = 2L * pairs * t;
            // Reference forward + policy forward + backward to the activations (the frozen base needs no weight
            // gradients, so backward costs about one forward): ~3 forwards. Attention counted over the full T x T.
            double forwardFlops = tokens * (2.0 * c.matmulParameters() + 4.0 * c.layers() * t * c.attentionWidth());
            double achieved = 3 * forwardFlops / seconds / 1e9;
            Json.print(out, row("dpo_step", "model", name, "params", c.parameterCount(), "pairs", pairs,
                    "seq_len", t, "seconds", seconds, "cpu_seconds", cpuSeconds, "pairs_per_second", pairs / seconds,
                    "achieved_gflops", achieved, "ceiling_ratio", achieved / ceiling));
        }
    }

    private void decode(String name, CausalLm model, PrintWriter out) {
        LmConfig c = model.config();
        Generator generator = new Generator(model, ids -> ""); // only token counts matter here
        for (int b : decodeBatches) {
            SplittableRandom rng = new SplittableRandom(b);
            List<long[]> prompts = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                prompts.add(rng.longs(16, 0, c.eosTokenId()).toArray());
            }
            List<SamplingParams> params = Collections.nCopies(b, SamplingParams.greedy(decodeTokens));
            int[] produced = new int[1];
            generator.generate(prompts, params, null);
            long cpuStart = processCpuNanos();
            double seconds = median(steps, () -> produced[0] = generator.generate(prompts, params, null).stream()
                    .mapToInt(g -> g.ids().length).sum());
            double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9 / steps;
            Json.print(out, row("decode", "model", name, "batch", b, "new_tokens", produced[0], "seconds", seconds,
                    "cpu_seconds", cpuSeconds, "tokens_per_second", produced[0] / seconds));
        }
    }

    private static List<PreferenceExample> randomPairs(LmConfig c, int n, int t) {
        SplittableRandom rng = new SplittableRandom(7);
        int prompt = t / 2;
        List<PreferenceExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new PreferenceExample("bench-" + i, rng.longs(prompt, 0, c.vocabSize()).toArray(),
                    rng.longs(t - prompt, 0, c.vocabSize()).toArray(), rng.longs(t - prompt, 0, c.vocabSize()).toArray()));
        }
        return out;
    }

    private static long processCpuNanos() {
        return Timing.processCpuNanos();
    }

    private static double median(int repetitions, Runnable work) {
        double[] seconds = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            work.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        return Timing.median(seconds);
    }

    private static Map<String, Object> row(String benchmark, Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("benchmark", benchmark);
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }
}
