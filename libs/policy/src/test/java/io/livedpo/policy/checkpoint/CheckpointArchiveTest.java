package io.livedpo.policy.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointArchiveTest {

    @TempDir
    Path root;

    private Path source;
    private Path received;

    @BeforeEach
    void createCheckpointDir() throws IOException {
        source = Files.createDirectories(root.resolve("source/v3"));
        byte[] weights = new byte[5000];
        new Random(1).nextBytes(weights);
        Files.write(source.resolve("adapter_model.safetensors"), weights);
        Files.writeString(source.resolve("livedpo.json"), "{\"version\": 3}");
        Files.createDirectories(source.resolve("extra"));
        Files.writeString(source.resolve("extra/notes.txt"), "");
        received = Files.createDirectories(root.resolve("received")).resolve("v3");
    }

    @Test
    void packThenUnpackRestoresEveryFile() throws IOException {
        byte[] archive = CheckpointArchive.pack(source);

        CheckpointArchive.unpack(new ByteArrayInputStream(archive), received, 1 << 20);

        for (String name : List.of("adapter_model.safetensors", "livedpo.json", "extra/notes.txt")) {
            assertArrayEquals(Files.readAllBytes(source.resolve(name)), Files.readAllBytes(received.resolve(name)), name);
        }
        assertArrayEquals(archive, CheckpointArchive.pack(received), "packing is deterministic");
    }

    @Test
    void traversalEntryIsRejected() throws IOException {
        Files.writeString(source.resolve("..xy"), "escape"); // same length as "../x", to rename in place
        byte[] archive = CheckpointArchive.pack(source);
        int header = headerOffsetOf(archive, "..xy");
        rename(archive, header, "../x");

        IOException e = assertThrows(IOException.class,
                () -> CheckpointArchive.unpack(new ByteArrayInputStream(archive), received, 1 << 20));

        assertTrue(e.getMessage().contains("'../x'"), e.getMessage());
        assertFalse(Files.exists(root.resolve("received/x")));
        assertNothingLeftIn(root.resolve("received"));
    }

    @Test
    void contentOverTheLimitIsRejected() throws IOException {
        byte[] archive = CheckpointArchive.pack(source);

        IOException e = assertThrows(IOException.class,
                () -> CheckpointArchive.unpack(new ByteArrayInputStream(archive), received, 4096));

        assertTrue(e.getMessage().contains("limit of 4096 bytes"), e.getMessage());
        assertNothingLeftIn(root.resolve("received"));
    }

    @Test
    void truncatedOrCorruptArchiveIsRejected() throws IOException {
        byte[] archive = CheckpointArchive.pack(source);
        byte[] truncated = Arrays.copyOf(archive, 1000);
        byte[] corrupt = archive.clone();
        corrupt[0] ^= 1; // first entry's name, so its checksum no longer matches

        assertThrows(IOException.class,
                () -> CheckpointArchive.unpack(new ByteArrayInputStream(truncated), received, 1 << 20));
        IOException e = assertThrows(IOException.class,
                () -> CheckpointArchive.unpack(new ByteArrayInputStream(corrupt), received, 1 << 20));

        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertNothingLeftIn(root.resolve("received"));
    }

    private static void assertNothingLeftIn(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(List.of(), list.toList(), "no target and no temp directory");
        }
    }

    private static int headerOffsetOf(byte[] archive, String name) {
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (int offset = 0; offset < archive.length; offset += 512) {
            if (Arrays.equals(archive, offset, offset + wanted.length, wanted, 0, wanted.length)
                    && archive[offset + wanted.length] == 0) {
                return offset;
            }
        }
        throw new AssertionError("no entry " + name);
    }

    /** Renames an entry to a same-length name and fixes its ustar header checksum. */
    private static void rename(byte[] archive, int header, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, archive, header, bytes.length);
        Arrays.fill(archive, header + 148, header + 156, (byte) ' ');
        long sum = 0;
        for (int i = header; i < header + 512; i++) {
            sum += archive[i] & 0xff;
        }
        byte[] checksum = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(checksum, 0, archive, header + 148, checksum.length);
    }

    @Test
    void aFloodOfFilesIsRefusedEvenWhenTheyAreEmpty() throws IOException {
        Path flood = Files.createDirectories(root.resolve("flood"));
        for (int i = 0; i <= CheckpointArchive.MAX_ENTRIES; i++) {
            Files.createFile(flood.resolve("f" + i));
        }
        byte[] archive = CheckpointArchive.pack(flood);
        IOException e = assertThrows(IOException.class,
                () -> CheckpointArchive.unpack(new ByteArrayInputStream(archive), received, 1 << 20));
        assertTrue(e.getMessage().contains("entries"), e.getMessage());
        assertFalse(Files.exists(received));
        Files.delete(flood.resolve("f0"));
        CheckpointArchive.unpack(new ByteArrayInputStream(CheckpointArchive.pack(flood)), received, 1 << 20);
        try (Stream<Path> files = Files.list(received)) {
            assertEquals(CheckpointArchive.MAX_ENTRIES, files.count());
        }
    }
}
