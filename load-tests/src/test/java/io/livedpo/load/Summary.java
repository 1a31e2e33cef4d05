package io.livedpo.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * What Gatling's report cannot show (model versions seen, serving's swap histogram) and the load average, printed
 * and appended to {@code load.summary} (default {@code target/gatling/summary.txt}, beside the HTML reports).
 */
final class Summary {

    private Summary() {
    }

    static void print(String scenario, LoadSettings settings, String detail) {
        String load;
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            load = "unknown";
        }
        String line = String.format("LOAD %s %s: rate %.1f/s, clients %d, %d s; %s; loadavg %s", Instant.now(),
                scenario, settings.rate(), settings.clients(), settings.duration().toSeconds(), detail, load);
        System.out.println(line);
        Path file = Path.of(System.getProperty("load.summary", "target/gatling/summary.txt"));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
