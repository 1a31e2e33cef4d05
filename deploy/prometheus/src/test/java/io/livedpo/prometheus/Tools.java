package io.livedpo.prometheus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Prometheus binaries the tests run: found on the PATH, or a failure that says how to install them. */
final class Tools {

    static final Path HOME = Path.of(System.getProperty("livedpo.home", "../..")).toAbsolutePath().normalize();
    static final Path RULES = HOME.resolve("deploy/prometheus/rules");

    private Tools() {
    }

    /** The executable, or an AssertionError: a missing tool must fail the build, never skip the test. */
    static Path require(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(name + " is not on the PATH: install it (Debian: apt-get install prometheus, as .ci/run"
                + " does)");
    }

    /** Output and exit code of a short command. */
    record Result(int exit, String output) {
    }

    static Result run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static List<Path> ruleFiles() throws IOException {
        try (var files = Files.list(RULES)) {
            List<Path> list = new ArrayList<>(files.filter(f -> f.toString().endsWith(".yml")).sorted().toList());
            if (list.isEmpty()) {
                throw new AssertionError("no rule files in " + RULES);
            }
            return list;
        }
    }
}
