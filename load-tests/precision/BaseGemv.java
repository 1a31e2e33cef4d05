import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Would a reduced-precision frozen base make decoding faster through DJL/PyTorch on this CPU? Times one decode step's
 * base matmuls of GPT-2 small (12 layers' c_attn, c_proj, c_fc, mlp c_proj and the tied head: 0.49 GB in F32) for ROWS
 * sequences, with the weights and activations in each DTYPE, median of 7 passes after one warm-up.
 *
 *   java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp cli/target/livedpo-cli.jar \
 *       load-tests/precision/BaseGemv.java ROWS float32,float16 [bfloat16]
 *
 * bfloat16 is listed separately because DJL 0.35.1 aborts the JVM on creating any BF16 tensor (cast or buffer).
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
        try (NDManager m = NDManager.newBaseManager()) {
            for (String name : args[1].split(",")) {
                DataType dt = DataType.valueOf(name.toUpperCase());
                List<NDArray> weights = new ArrayList<>();
                Map<Long, NDArray> inputs = new HashMap<>();
                for (long[] s : shapes) {
                    weights.add(m.randomNormal(new Shape(s)).toType(dt, false));
                    inputs.computeIfAbsent(s[0], k -> m.randomNormal(new Shape(rows, k)).toType(dt, false));
                }
                double[] seconds = new double[8];
                for (int r = 0; r < seconds.length; r++) {
                    long start = System.nanoTime();
                    try (NDManager step = m.newSubManager()) {
                        for (NDArray w : weights) {
                            inputs.get(w.getShape().get(0)).matMul(w).attach(step);
                        }
                    }
                    seconds[r] = (System.nanoTime() - start) / 1e9;
                }
                double[] timed = Arrays.copyOfRange(seconds, 1, seconds.length);
                Arrays.sort(timed);
                System.out.printf("{\"dtype\":\"%s\",\"rows\":%d,\"seconds_per_step\":%.4f,\"steps_per_second\":%.2f}%n",
                        name, rows, timed[timed.length / 2], 1 / timed[timed.length / 2]);
                weights.forEach(NDArray::close);
            }
        }
    }
}
