import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.model.Bf16Matrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How fast can one decode step's base matmuls of GPT-2 small run on this CPU (12 layers' c_attn, c_proj, c_fc, mlp
 * c_proj and the tied head: 0.49 GB in F32) for ROWS sequences? Each MODE, median of 7 passes after one warm-up:
 * float32 / float16 through DJL/PyTorch, or bf16-java, LiveDPO's bf16 base kernel (Bf16Matrix, the Vector API).
 *
 *   java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
 *       -cp cli/target/livedpo-cli.jar load-tests/precision/BaseGemv.java ROWS float32,bf16-java[,float16]
 *
 * bfloat16 through DJL is not offered: DJL 0.35.1 aborts the JVM on creating any BF16 tensor (cast or buffer).
 */
public class BaseGemv {
    public static void main(String[] args) {
        int rows = Integer.parseInt(args[0]);
        int c = 768;
        List<long[]> shapes = new ArrayList<>();
        for (int l = 0; l < 12; l++) {
            shapes.addAll(List.of(new long[] {c, 3 * c}, new long[] {c, c}, new long[] {c, 4 * c},
                    new long[] {4 * c, c}));
        }
        shapes.add(new long[] {c, 50257});
        for (String name : args[1].split(",")) {
            double seconds = name.equals("bf16-java") ? java(shapes, rows) : torch(shapes, rows, name);
            System.out.printf("{\"dtype\":\"%s\",\"rows\":%d,\"seconds_per_step\":%.4f,\"steps_per_second\":%.2f}%n",
                    name, rows, seconds, 1 / seconds);
        }
    }

    private static double torch(List<long[]> shapes, int rows, String name) {
        DataType dt = DataType.valueOf(name.toUpperCase());
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> weights = new ArrayList<>();
            Map<Long, NDArray> inputs = new HashMap<>();
            for (long[] s : shapes) {
                weights.add(m.randomNormal(new Shape(s)).toType(dt, false));
                inputs.computeIfAbsent(s[0], k -> m.randomNormal(new Shape(rows, k)).toType(dt, false));
            }
            return median(() -> {
                try (NDManager step = m.newSubManager()) {
                    for (NDArray w : weights) {
                        inputs.get(w.getShape().get(0)).matMul(w).attach(step);
                    }
                }
            });
        }
    }

    private static double java(List<long[]> shapes, int rows) {
        SplittableRandom rng = new SplittableRandom(1);
        List<Bf16Matrix> weights = new ArrayList<>();
        Map<Integer, float[]> inputs = new HashMap<>();
        for (long[] s : shapes) {
            int in = (int) s[0];
            int out = (int) s[1];
            weights.add(Bf16Matrix.ofOutIn(normal(rng, out * in), out, in));
            inputs.computeIfAbsent(in, k -> normal(rng, rows * k));
        }
        return median(() -> {
            for (Bf16Matrix w : weights) {
                w.times(inputs.get(w.in()), rows);
            }
        });
    }

    private static float[] normal(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() - 0.5);
        }
        return v;
    }

    private static double median(Runnable step) {
        double[] seconds = new double[8];
        for (int r = 0; r < seconds.length; r++) {
            long start = System.nanoTime();
            step.run();
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        double[] timed = Arrays.copyOfRange(seconds, 1, seconds.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }
}
