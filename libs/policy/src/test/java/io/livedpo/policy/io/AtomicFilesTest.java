package io.livedpo.policy.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path root;

    @Test
    void writesDirectoryAndReturnsWriterResult() throws IOException {
        Path target = root.resolve("v1");

        String result = AtomicFiles.writeDirectory(target, temp -> {
            Files.writeString(temp.resolve("a.txt"), "alpha");
            Files.createDirectories(temp.resolve("sub"));
            Files.writeString(temp.resolve("sub/b.txt"), "beta");
            return "done";
        });

        assertEquals("done", result);
        assertEquals("alpha", Files.readString(target.resolve("a.txt")));
        assertEquals("beta", Files.readString(target.resolve("sub/b.txt")));
        assertEquals(List.of(target), entries(root), "no temp directory left behind");
    }

    @Test
    void failedWriteLeavesNeitherTargetNorTemp() throws IOException {
        Path target = root.resolve("v1");
        IOException injected = new IOException("disk full");

        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.writeDirectory(target, temp -> {
            Files.writeString(temp.resolve("half-written"), "x");
            throw injected;
        }));
        RuntimeException bug = new IllegalStateException("bug");
        RuntimeException thrownBug = assertThrows(RuntimeException.class,
                () -> AtomicFiles.writeDirectory(target, temp -> {
                    throw bug;
                }));

        assertSame(injected, thrown);
        assertSame(bug, thrownBug);
        assertEquals(List.of(), entries(root));
    }

    @Test
    void existingDirectoryIsNeverReplaced() throws IOException {
        Path target = Files.createDirectories(root.resolve("v1"));
        Files.writeString(target.resolve("keep"), "original");

        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.writeDirectory(target, temp -> null));

        assertEquals("original", Files.readString(target.resolve("keep")));
        assertEquals(List.of(target), entries(root));
    }

    @Test
    void replaceFileSwapsContentOrKeepsTheOldOnFailure() throws IOException {
        Path target = root.resolve("LATEST");
        AtomicFiles.replaceFile(target, temp -> Files.writeString(temp, "v1"));
        AtomicFiles.replaceFile(target, temp -> Files.writeString(temp, "v2"));

        assertThrows(IOException.class, () -> AtomicFiles.replaceFile(target, temp -> {
            Files.writeString(temp, "v3-partial");
            throw new IOException("interrupted");
        }));

        assertEquals("v2", Files.readString(target));
        assertEquals(List.of(target), entries(root));
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }
}
