import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;

/**
 * Run once while an image is built (a JDK runs this single source file against the app's jars): loads the PyTorch
 * engine and the tokenizers library so DJL extracts their natives into DJL_CACHE_DIR. The running container then
 * finds them there, works offline, starts without unpacking hundreds of MB (gigabytes for CUDA), and needs no
 * writable cache on a read-only root filesystem.
 */
public final class WarmDjl {

    public static void main(String[] args) throws Exception {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("DJL %s: PyTorch %s natives cached in %s%n", Engine.getDjlVersion(), engine.getVersion(),
                System.getenv("DJL_CACHE_DIR"));
        // Any tokenizer.json loads the tokenizers' JNI library; the model's own is at hand in every build.
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(Path.of(args[0]))) {
            System.out.println("tokenizers native loaded: " + tokenizer.encode("warm").getIds().length + " ids");
        }
    }
}
