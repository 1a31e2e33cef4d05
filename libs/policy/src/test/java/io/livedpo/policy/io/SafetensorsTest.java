package io.livedpo.policy.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.livedpo.policy.ManagedArraysTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest extends ManagedArraysTest {

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("z.weight", manager.arange(6f).reshape(2, 3));
        tensors.put("a.bias", manager.create(new float[] {-1.5f, 0f, 2.25f, 1e-20f}));
        tensors.put("m.transposed", manager.arange(6f).reshape(3, 2).transpose()); // not contiguous
        tensors.put("h.half", manager.create(new float[] {0.5f, -2f}).toType(DataType.FLOAT16, false));
        tensors.put("ids", manager.create(new long[] {1L << 40, -3L, 7L}));
        Path file = dir.resolve("model.safetensors");

        Safetensors.write(file, tensors, Map.of("format", "pt"));

        Safetensors.Header header = Safetensors.readHeader(file);
        assertEquals(Map.of("format", "pt"), header.metadata());
        assertEquals(0, header.dataOffset() % 8, "header is padded so the data starts 8-byte aligned");
        assertEquals(0, header.tensors().get("a.bias").begin(), "data is laid out in name order");
        assertEquals(Safetensors.Dtype.I64, header.tensors().get("ids").dtype());

        Map<String, NDArray> read = Safetensors.read(file, manager);
        assertEquals(tensors.keySet(), read.keySet());
        assertEquals(new Shape(2, 3), read.get("z.weight").getShape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, read.get("z.weight").toFloatArray());
        assertArrayEquals(new float[] {-1.5f, 0f, 2.25f, 1e-20f}, read.get("a.bias").toFloatArray());
        assertEquals(new Shape(2, 3), read.get("m.transposed").getShape());
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, read.get("m.transposed").toFloatArray());
        assertEquals(DataType.FLOAT32, read.get("h.half").getDataType());
        assertArrayEquals(new float[] {0.5f, -2f}, read.get("h.half").toFloatArray());
        assertArrayEquals(new long[] {1L << 40, -3L, 7L}, read.get("ids").toLongArray());
    }

    @Test
    void tensorsAreFoundByNameNotByPosition() throws IOException {
        // Header order b, a; data order a, b.
        Path file = craft("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1f, 2f));

        Map<String, NDArray> read = Safetensors.read(file, manager);

        assertEquals(List.of("b", "a"), List.copyOf(read.keySet()), "names in header order");
        assertArrayEquals(new float[] {1f}, read.get("a").toFloatArray());
        assertArrayEquals(new float[] {2f}, read.get("b").toFloatArray());
    }

    @Test
    void readsF16AsExactFloat32() throws IOException {
        short[] bits = {0x0000, (short) 0x8000, 0x0001, (short) 0x8001, 0x03ff, 0x0400, 0x3c00, (short) 0xc000, 0x3555,
            0x7bff, 0x7c00, (short) 0xfc00, 0x7e00};
        float[] expected = {0f, -0f, 0x1p-24f, -0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 1f, -2f, 0.333251953125f,
            65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};

        float[] actual = readHalfs("F16", bits);

        assertArrayEquals(expected, actual); // compares bit patterns: -0 differs from 0, NaN equals NaN
    }

    @Test
    void readsBf16AsExactFloat32() throws IOException {
        short[] bits = {0x0000, (short) 0x8000, 0x0001, 0x0080, 0x3f80, (short) 0xc040, 0x7f7f, (short) 0xff7f, 0x7f80,
            (short) 0xff80, 0x7fc0};
        float[] expected = {0f, -0f, 0x1p-133f, 0x1p-126f, 1f, -3f, 0x1.fep127f, -0x1.fep127f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};

        assertArrayEquals(expected, readHalfs("BF16", bits));
    }

    @Test
    void truncatedFileNamesFileAndTensor() throws IOException {
        Path file = dir.resolve("truncated.safetensors");
        Safetensors.write(file, Map.of("first", manager.ones(new Shape(4)), "second", manager.ones(new Shape(4))),
                Map.of());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 3);
        }

        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file, manager));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'second'"), e.getMessage());
    }

    static Stream<Arguments> corruptFiles() {
        String ok = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        return Stream.of(
                Arguments.of("not JSON", "{\"t\":", 8, "not valid JSON"),
                Arguments.of("not an object", "[1,2]", 8, "not a JSON object"),
                Arguments.of("duplicate name", ok.replace("}}", "},\"t\":{}}"), 8, "Duplicate"),
                Arguments.of("unknown dtype", ok.replace("F32", "F33"), 8, "unknown dtype"),
                Arguments.of("negative dim", ok.replace("[2]", "[-2]"), 8, "'t'"),
                Arguments.of("size mismatch", ok.replace("[2]", "[3]"), 8, "needs 12"),
                Arguments.of("offsets past the end", ok.replace("[2]", "[100]").replace("8]", "400]"), 8,
                        "past the end"),
                Arguments.of("end before begin", ok.replace("[0,8]", "[8,0]"), 8, "end before"),
                Arguments.of("gap", "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "gap"),
                Arguments.of("overlap", "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "overlapping"),
                Arguments.of("trailing bytes", ok, 12, "cover 8"),
                Arguments.of("metadata not strings", ok.replace("}}", "},\"__metadata__\":{\"k\":1}}"), 8,
                        "not a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void corruptHeaderIsAnIoExceptionNamingTheFile(String label, String header, int dataBytes, String problem)
            throws IOException {
        Path file = craft(header, new byte[dataBytes]);

        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file, manager));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void impossibleHeaderLengthIsRefusedBeforeAllocating() throws IOException {
        Path tooShort = dir.resolve("short.safetensors");
        Files.write(tooShort, new byte[] {1, 2, 3});
        Path hugeHeader = dir.resolve("huge.safetensors");
        ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        Files.write(hugeHeader, bytes.array());

        for (Path file : List.of(tooShort, hugeHeader)) {
            IOException e = assertThrows(IOException.class, () -> Safetensors.readHeader(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void unsupportedDtypeIsReadableInTheHeaderButNotLoaded() throws IOException {
        Path file = craft("{\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);

        assertEquals(Safetensors.Dtype.BOOL, Safetensors.readHeader(file).tensors().get("mask").dtype());
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file, manager));
        assertTrue(e.getMessage().contains("'mask'") && e.getMessage().contains("BOOL"), e.getMessage());
    }

    private float[] readHalfs(String dtype, short[] bits) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short b : bits) {
            data.putShort(b);
        }
        Path file = craft("{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + bits.length + "],\"data_offsets\":[0,"
                + bits.length * 2 + "]}}", data.array());
        NDArray x = Safetensors.read(file, manager).get("x");
        assertEquals(DataType.FLOAT32, x.getDataType());
        return x.toFloatArray();
    }

    private static byte[] floats(float... values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        return data.array();
    }

    /** A file written byte by byte: length, header (unpadded), data. */
    private Path craft(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(json.length).put(json).put(data);
        Path file = Files.createTempFile(dir, "crafted", ".safetensors");
        Files.write(file, bytes.array());
        return file;
    }
}
