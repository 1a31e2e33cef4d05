package io.livedpo.policy.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weight files of a Hugging Face model directory: one {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json}'s weight_map names ({@code save_pretrained} shards models over its shard size).
 */
public final class CheckpointFiles {

    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFiles() {
    }

    /** The weight files in a fixed order: the single file, or the index followed by its shards in first-use order. */
    public static List<Path> files(Path dir) throws IOException {
        Path single = dir.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            return List.of(single);
        }
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new IOException("no weights in " + dir + ": neither " + SINGLE + " nor " + INDEX);
        }
        List<Path> out = new ArrayList<>();
        out.add(index);
        shards(index).values().stream().distinct().forEach(out::add);
        return out;
    }

    /** Every tensor of the directory (F16/BF16 widened to FLOAT32), checked against the index when sharded. */
    public static Map<String, NDArray> read(Path dir, NDManager manager) throws IOException {
        List<Path> files = files(dir);
        if (files.size() == 1) {
            return Safetensors.read(files.get(0), manager);
        }
        Map<String, Path> expected = shards(files.get(0));
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Path shard : files.subList(1, files.size())) {
            for (Map.Entry<String, NDArray> e : Safetensors.read(shard, manager).entrySet()) {
                if (!shard.equals(expected.get(e.getKey()))) {
                    throw new IOException(shard + " holds '" + e.getKey() + "', which " + INDEX
                            + " places elsewhere");
                }
                out.put(e.getKey(), e.getValue());
            }
        }
        Set<String> missing = new LinkedHashSet<>(expected.keySet());
        missing.removeAll(out.keySet());
        if (!missing.isEmpty()) {
            throw new IOException(dir + ": shards lack tensors the index names: " + missing);
        }
        return out;
    }

    /** weight_map of an index: tensor name -> shard file, refusing paths that leave the directory. */
    private static Map<String, Path> shards(Path index) throws IOException {
        JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
        if (!map.isObject() || map.isEmpty()) {
            throw new IOException(index + ": no weight_map");
        }
        Path dir = index.getParent();
        Map<String, Path> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Path shard = dir.resolve(e.getValue().asText()).normalize();
            if (!shard.getParent().equals(dir.normalize()) || !Files.isRegularFile(shard)) {
                throw new IOException(index + ": shard '" + e.getValue().asText() + "' for '" + e.getKey()
                        + "' is not a file in " + dir);
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }
}
