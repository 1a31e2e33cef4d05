package io.livedpo.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A random GPT-2 with the fixture's tokenizer and a 1,024-token context, written as plain files (config.json, F32
 * model.safetensors, the fixture's tokenizer files). Pure Java on purpose: a Quarkus test profile builds it before the
 * app starts, in a class loader where DJL's natives must not be loaded.
 */
final class LongContextModel {

    private static final int V = 407;
    private static final int P = 1024;
    private static final int C = 32;
    private static final int LAYERS = 2;

    private LongContextModel() {
    }

    /** Writes the model into a new directory under {@code parent}; the same seed gives the same files. */
    static Path write(Path parent, long seed) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("model"));
        // Removed when the test JVM exits: deleteOnExit runs in reverse order, so the files go before their folders.
        parent.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(TestClients.BASE.resolve("config.json").toFile());
        config.put("n_positions", P).put("n_ctx", P);
        json.writeValue(dir.resolve("config.json").toFile(), config);
        try (Stream<Path> files = Files.list(TestClients.BASE)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("tokenizer")).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        // Weights far larger than GPT-2's init: sharp logits, so an adapter visibly changes sampled text.
        Random rng = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        put(w, shapes, "wte.weight", normal(rng, 0.5f, V * C), V, C);
        put(w, shapes, "wpe.weight", normal(rng, 0.1f, P * C), P, C);
        for (int i = 0; i < LAYERS; i++) {
            String p = "h." + i + ".";
            put(w, shapes, p + "ln_1.weight", constant(1f, C), C);
            put(w, shapes, p + "ln_1.bias", constant(0f, C), C);
            put(w, shapes, p + "attn.c_attn.weight", normal(rng, 0.2f, C * 3 * C), C, 3 * C);
            put(w, shapes, p + "attn.c_attn.bias", constant(0f, 3 * C), 3 * C);
            put(w, shapes, p + "attn.c_proj.weight", normal(rng, 0.2f, C * C), C, C);
            put(w, shapes, p + "attn.c_proj.bias", constant(0f, C), C);
            put(w, shapes, p + "ln_2.weight", constant(1f, C), C);
            put(w, shapes, p + "ln_2.bias", constant(0f, C), C);
            put(w, shapes, p + "mlp.c_fc.weight", normal(rng, 0.2f, C * 4 * C), C, 4 * C);
            put(w, shapes, p + "mlp.c_fc.bias", constant(0f, 4 * C), 4 * C);
            put(w, shapes, p + "mlp.c_proj.weight", normal(rng, 0.2f, 4 * C * C), 4 * C, C);
            put(w, shapes, p + "mlp.c_proj.bias", constant(0f, C), C);
        }
        put(w, shapes, "ln_f.weight", constant(1f, C), C);
        put(w, shapes, "ln_f.bias", constant(0f, C), C);

        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, float[]> e : w.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : shapes.get(e.getKey())) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + 4L * e.getValue().length);
            offset += 4L * e.getValue().length;
        }
        byte[] head = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(head.length).array());
            out.write(head);
            for (float[] a : w.values()) {
                ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(a);
                out.write(b.array());
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> f.toFile().deleteOnExit());
        }
        return dir;
    }

    private static void put(Map<String, float[]> w, Map<String, long[]> shapes, String name, float[] values,
                            long... shape) {
        w.put(name, values);
        shapes.put(name, shape);
    }

    private static float[] normal(Random rng, float std, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextGaussian() * std);
        }
        return a;
    }

    private static float[] constant(float value, int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
