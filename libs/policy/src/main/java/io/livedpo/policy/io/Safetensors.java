package io.livedpo.policy.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}}, then the tensor data,
 * offsets relative to the data start. Tensors are always looked up by name; their order in the file means nothing.
 *
 * <p>Byte order: the file is little-endian, and so is every platform DJL ships PyTorch natives for (x86-64, aarch64),
 * so raw bytes are copied as they are.
 */
public final class Safetensors {

    /** The reference implementation refuses larger headers; checking first keeps a corrupt length from allocating. */
    private static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA_KEY = "__metadata__";
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The element types the format defines, with their sizes; {@link #read} loads F32, F16, BF16, I32 and I64. */
    public enum Dtype {
        BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1), I16(2), U16(2), F16(2), BF16(2),
        I32(4), U32(4), F32(4), F64(8), I64(8), U64(8);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /**
     * One tensor's entry in the header.
     *
     * @param begin start of its bytes, relative to the data section
     * @param end   end (exclusive) of its bytes, relative to the data section
     */
    public record TensorInfo(String name, Dtype dtype, Shape shape, long begin, long end) {

        public long byteSize() {
            return end - begin;
        }
    }

    /**
     * A validated header.
     *
     * @param tensors    entries by name, in header order
     * @param metadata   the free-form {@code __metadata__} strings; empty when absent
     * @param dataOffset file position where the data section starts (8 + N)
     */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataOffset) {

        public Header {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    private Safetensors() {
    }

    public static Header readHeader(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, channel);
        }
    }

    /**
     * Reads every tensor into {@code manager}, F16 and BF16 widened to FLOAT32. The file is memory-mapped and each
     * tensor copied once, straight into the buffer that becomes its NDArray's storage.
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, channel);
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            try {
                for (TensorInfo tensor : header.tensors().values()) {
                    arrays.put(tensor.name(), load(file, channel, header.dataOffset(), tensor, manager));
                }
            } catch (IOException | RuntimeException e) {
                arrays.values().forEach(NDArray::close);
                throw e;
            }
            return arrays;
        }
    }

    /**
     * Writes tensors sorted by name, as F32 (other float types are converted; INT32 and INT64 are kept as I32 and I64).
     * The header is padded with spaces so the data starts 8-byte aligned, as the reference implementation does.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        Map<String, NDArray> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> entry : sorted.entrySet()) {
            NDArray array = entry.getValue();
            Dtype dtype = storedType(entry.getKey(), array.getDataType());
            long end = offset + array.getShape().size() * dtype.bytes();
            ObjectNode node = header.putObject(entry.getKey());
            node.put("dtype", dtype.name());
            ArrayNode shape = node.putArray("shape");
            Arrays.stream(array.getShape().getShape()).forEach(shape::add);
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(out, head);
            for (Map.Entry<String, NDArray> entry : sorted.entrySet()) {
                writeData(out, entry.getKey(), entry.getValue());
            }
        }
    }

    private static Dtype storedType(String name, DataType type) {
        if (type == DataType.INT32) {
            return Dtype.I32;
        }
        if (type == DataType.INT64) {
            return Dtype.I64;
        }
        if (type.isFloating()) {
            return Dtype.F32;
        }
        throw new IllegalArgumentException("tensor '" + name + "' has type " + type
                + "; only floating point, INT32 and INT64 tensors can be written");
    }

    private static void writeData(FileChannel out, String name, NDArray array) throws IOException {
        boolean convert = storedType(name, array.getDataType()) == Dtype.F32 && array.getDataType() != DataType.FLOAT32;
        NDArray stored = convert ? array.toType(DataType.FLOAT32, false) : array;
        try {
            ByteBuffer data = stored.toByteBuffer();
            long expected = stored.getShape().size() * stored.getDataType().getNumOfBytes();
            if (data.remaining() != expected) {
                throw new IllegalStateException("tensor '" + name + "': DJL returned " + data.remaining()
                        + " bytes for shape " + stored.getShape() + ", expected " + expected);
            }
            writeFully(out, data);
        } finally {
            if (convert) {
                stored.close();
            }
        }
    }

    private static Header readHeader(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw corrupt(file, "it has " + fileSize + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, lengthBytes, 0);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > fileSize - 8) {
            throw corrupt(file, "header length " + Long.toUnsignedString(headerLength) + " is impossible for a file of "
                    + fileSize + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(file, channel, headerBytes, 8);
        JsonNode root;
        try {
            root = JSON.readTree(headerBytes.array());
        } catch (JsonProcessingException e) {
            throw corrupt(file, "the header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                parseMetadata(file, field.getValue(), metadata);
            } else {
                tensors.put(field.getKey(), parseTensor(file, field.getKey(), field.getValue()));
            }
        }
        long dataOffset = 8 + headerLength;
        checkLayout(file, tensors.values(), fileSize - dataOffset);
        return new Header(tensors, metadata, dataOffset);
    }

    private static void parseMetadata(Path file, JsonNode node, Map<String, String> metadata) throws IOException {
        if (!node.isObject()) {
            throw corrupt(file, METADATA_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw corrupt(file, METADATA_KEY + " value '" + entry.getKey() + "' is not a string");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw corruptTensor(file, name, "its header entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw corruptTensor(file, name, "has no dtype");
        }
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw corruptTensor(file, name, "has unknown dtype '" + dtypeNode.textValue() + "'");
        }
        long[] dims = nonNegativeLongs(file, name, node.get("shape"), "shape", -1);
        long[] offsets = nonNegativeLongs(file, name, node.get("data_offsets"), "data_offsets", 2);
        Shape shape = new Shape(dims);
        if (offsets[1] < offsets[0]) {
            throw corruptTensor(file, name, "has data_offsets " + Arrays.toString(offsets) + " that end before they begin");
        }
        long needed;
        try {
            needed = Math.multiplyExact(Arrays.stream(dims).reduce(1L, Math::multiplyExact), dtype.bytes());
        } catch (ArithmeticException e) {
            throw corruptTensor(file, name, "has shape " + shape + " whose size overflows");
        }
        if (offsets[1] - offsets[0] != needed) {
            throw corruptTensor(file, name, "has data_offsets " + Arrays.toString(offsets) + " spanning "
                    + (offsets[1] - offsets[0]) + " bytes, but " + dtype + " " + shape + " needs " + needed);
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** Reads a JSON array of non-negative integers; {@code length} -1 accepts any length. */
    private static long[] nonNegativeLongs(Path file, String name, JsonNode node, String field, int length)
            throws IOException {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw corruptTensor(file, name, "has a missing or malformed " + field);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = node.get(i);
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
                throw corruptTensor(file, name, "has " + field + " entry " + value + ", not a non-negative integer");
            }
            values[i] = value.longValue();
        }
        return values;
    }

    /** Tensors must tile the data section exactly: no gaps, no overlaps, nothing past the end, nothing left over. */
    private static void checkLayout(Path file, Iterable<TensorInfo> tensors, long dataLength) throws IOException {
        List<TensorInfo> byOffset = new ArrayList<>();
        tensors.forEach(byOffset::add);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        for (TensorInfo tensor : byOffset) {
            String offsets = "data_offsets [" + tensor.begin() + ", " + tensor.end() + "]";
            if (tensor.end() > dataLength) {
                throw corruptTensor(file, tensor.name(), "has " + offsets + " past the end of the data section ("
                        + dataLength + " bytes); the file is truncated or the offsets are wrong");
            }
            if (tensor.begin() != expected) {
                throw corruptTensor(file, tensor.name(), "has " + offsets + (tensor.begin() < expected
                        ? " overlapping the previous tensor" : " leaving a gap after byte " + expected));
            }
            expected = tensor.end();
        }
        if (expected != dataLength) {
            throw corrupt(file, "the data section has " + dataLength + " bytes but the tensors cover " + expected);
        }
    }

    private static NDArray load(Path file, FileChannel channel, long dataOffset, TensorInfo tensor, NDManager manager)
            throws IOException {
        DataType type = switch (tensor.dtype()) {
            case F32, F16, BF16 -> DataType.FLOAT32;
            case I32 -> DataType.INT32;
            case I64 -> DataType.INT64;
            default -> throw new IOException("cannot load tensor '" + tensor.name() + "' of " + file + ": dtype "
                    + tensor.dtype() + " is not supported (F32, F16, BF16, I32, I64 are)");
        };
        long loadedBytes = tensor.shape().size() * type.getNumOfBytes();
        if (loadedBytes > Integer.MAX_VALUE) {
            throw new IOException("cannot load tensor '" + tensor.name() + "' of " + file + ": " + loadedBytes
                    + " bytes exceed one buffer");
        }
        // A fresh native buffer, not the mapping: DJL's CPU arrays alias the buffer they are created from, and an
        // array backed by a read-only file mapping would crash on the first in-place update.
        ByteBuffer target = manager.allocateDirect((int) loadedBytes).order(ByteOrder.nativeOrder());
        if (tensor.byteSize() > 0) {
            ByteBuffer source = channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + tensor.begin(), tensor.byteSize())
                    .order(ByteOrder.LITTLE_ENDIAN);
            try {
                copy(tensor.dtype(), source, target);
            } catch (InternalError e) {
                // What the JVM raises instead of SIGBUS when a mapped file shrinks under it.
                throw new IOException("cannot read tensor '" + tensor.name() + "' of " + file
                        + ": the file changed while it was being read", e);
            }
        }
        target.rewind();
        return manager.create(target, tensor.shape(), type);
    }

    private static void copy(Dtype dtype, ByteBuffer source, ByteBuffer target) {
        switch (dtype) {
            case F16 -> {
                while (source.hasRemaining()) {
                    target.putFloat(HalfFloats.f16ToFloat(source.getShort()));
                }
            }
            case BF16 -> {
                while (source.hasRemaining()) {
                    target.putFloat(HalfFloats.bf16ToFloat(source.getShort()));
                }
            }
            default -> target.put(source);
        }
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new EOFException("unexpected end of " + file);
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static IOException corrupt(Path file, String problem) {
        return new IOException("corrupt safetensors file " + file + ": " + problem);
    }

    private static IOException corrupt(Path file, String problem, Throwable cause) {
        return new IOException("corrupt safetensors file " + file + ": " + problem, cause);
    }

    private static IOException corruptTensor(Path file, String name, String problem) {
        return corrupt(file, "tensor '" + name + "' " + problem);
    }
}
