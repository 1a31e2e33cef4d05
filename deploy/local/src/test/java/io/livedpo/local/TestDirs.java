package io.livedpo.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Data dirs for the ITs under target/, emptied first, kept afterwards: the service logs are what to read on failure. */
final class TestDirs {

    private TestDirs() {
    }

    static Path fresh(String name) throws IOException {
        Path dir = LocalStackIT.HOME.resolve("deploy/local/target").resolve(name);
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
