package io.livedpo.policy.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Publishing files and directories so that readers (and a crash) see either nothing or the complete content: build a
 * hidden temp sibling, fsync it, then rename it into place in one step. Relies on POSIX rename and directory fsync.
 */
public final class AtomicFiles {

    /** Fills the temp directory that becomes the target; what it returns is handed back to the caller. */
    @FunctionalInterface
    public interface DirectoryWriter<T> {
        T write(Path tempDir) throws IOException;
    }

    /** Creates and writes the temp file (which does not exist yet) that replaces the target. */
    @FunctionalInterface
    public interface FileWriter {
        void write(Path tempFile) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} as a new directory. An existing target is refused, never replaced. On any failure the temp
     * directory is deleted and no target appears. A second writer racing for the same target can only win while the
     * target does not exist yet: rename(2) replaces an empty directory but fails on a non-empty one.
     */
    public static <T> T writeDirectory(Path target, DirectoryWriter<T> writer) throws IOException {
        Path parent = parentOf(target);
        Files.createDirectories(parent);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "refusing to replace an existing directory");
        }
        // Created by hand rather than Files.createTempDirectory, which would make the published directory owner-only.
        Path temp = Files.createDirectory(tempSibling(target));
        T result;
        try {
            result = writer.write(temp);
            fsyncTree(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (Throwable failure) {
            deleteTree(temp, failure);
            throw failure;
        }
        fsync(parent); // makes the rename itself durable
        return result;
    }

    /** Replaces (or creates) one file: the writer fills a temp sibling that is fsynced and renamed over the target. */
    public static void replaceFile(Path target, FileWriter writer) throws IOException {
        Path parent = parentOf(target);
        Path temp = tempSibling(target);
        try {
            writer.write(temp);
            fsync(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            deleteTree(temp, failure);
            throw failure;
        }
        fsync(parent);
    }

    /** Flushes a file or a directory (its entries) to stable storage. */
    public static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void fsyncTree(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            // Deepest first, so each directory is flushed after the entries inside it.
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            fsync(path);
        }
    }

    /** Deletes a temp path after a failure; problems while cleaning up are attached to the original failure. */
    private static void deleteTree(Path root, Throwable failure) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    private static Path parentOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IllegalArgumentException("cannot write the file system root atomically: " + target);
        }
        return parent;
    }

    /** Hidden and clearly named, so directory scanners skip it and a crash leftover is recognisable. */
    private static Path tempSibling(Path target) {
        Path absolute = target.toAbsolutePath();
        return absolute.resolveSibling("." + absolute.getFileName() + ".tmp-" + UUID.randomUUID());
    }
}
