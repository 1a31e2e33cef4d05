import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.File;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * Jlama's side of load-tests/jlama-side-by-side.sh: greedy decode of given prompt ids on a model directory, token by
 * token through Jlama's own forward and sampler (temperature 0 = argmax), F32 weights and F32 working memory, so the
 * tokens can be compared with LiveDPO's. Times prompt + decode like `livedpo generate --repeat`: the median of REPS
 * timed runs after one warm-up. Prints one JSON line.
 *
 *   java --add-modules jdk.incubator.vector --enable-preview -cp ... JlamaDecode DIR THREADS IDS(1,2,3) NEW REPS
 */
public final class JlamaDecode {

    public static void main(String[] args) throws Exception {
        File dir = new File(args[0]);
        int threads = Integer.parseInt(args[1]);
        int[] prompt = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int newTokens = Integer.parseInt(args[3]);
        int reps = Integer.parseInt(args[4]);
        PhysicalCoreExecutor.overrideThreadCount(threads); // before the executor's first use
        try (AbstractModel model = ModelSupport.loadModel(dir, DType.F32, DType.F32)) {
            int[] ids = decode(model, prompt, newTokens); // warm-up: JIT, first touch of the weights
            double[] seconds = new double[reps];
            for (int r = 0; r < reps; r++) {
                long start = System.nanoTime();
                int[] again = decode(model, prompt, newTokens);
                seconds[r] = (System.nanoTime() - start) / 1e9;
                if (!Arrays.equals(ids, again)) {
                    throw new IllegalStateException("greedy decode is not repeatable");
                }
            }
            Arrays.sort(seconds);
            double median = seconds[reps / 2];
            StringJoiner out = new StringJoiner(",", "[", "]");
            for (int id : ids) {
                out.add(Integer.toString(id));
            }
            System.out.printf("{\"engine\":\"jlama\",\"threads\":%d,\"prompt_tokens\":%d,\"new_tokens\":%d,"
                    + "\"seconds\":%.4f,\"tokens_per_second\":%.3f,\"ids\":%s}%n", threads, prompt.length, ids.length,
                    median, ids.length / median, out);
        }
    }

    /** Prompt in one batch forward, then one token per forward; argmax sampling as Jlama's generate does at 0. */
    private static int[] decode(AbstractModel model, int[] prompt, int newTokens) {
        int[] ids = new int[newTokens];
        try (KvBufferCache cache = new KvBufferCache(model);
             AbstractTensor logits = model.makeDenseTensor(model.getConfig().vocabularySize)) {
            KvBufferCache.KvBuffer kv = cache.getEphemeralKvBuffer();
            AbstractTensor out = model.batchForward(prompt, 0, kv);
            AbstractTensor last = out.slice(out.shape().first() - 1);
            int next = model.sample(last, 0f, 0f, logits);
            out.close();
            for (int i = 0; i < newTokens; i++) {
                ids[i] = next;
                if (i == newTokens - 1) {
                    break;
                }
                try (AbstractTensor step = model.forward(next, prompt.length + i, kv, java.util.Optional.empty())) {
                    next = model.sample(step, 0f, 0f, logits);
                }
            }
        }
        return ids;
    }
}
