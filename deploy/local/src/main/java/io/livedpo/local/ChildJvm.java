package io.livedpo.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A JVM the stack started, its stdout and stderr in one log file; stopped gracefully first (SIGTERM), then killed. */
final class ChildJvm implements AutoCloseable {

    private static final long GRACE_SECONDS = 20;

    /**
     * OpenMP's wait policy for PyTorch's intra-op threads in every child, unless the caller's environment sets one. The
     * default (spin before sleeping) makes each of the ~500 small ops of a decode step wait for a thread that a busy
     * neighbour has descheduled: with four JVMs on two cores, or a build beside the stack, 2-thread decoding collapsed
     * to almost nothing (docs/BENCHMARKS.md, "Threads when cores are shared"). PASSIVE threads sleep at once instead.
     * An environment variable because libgomp reads it when PyTorch loads: no setting inside the JVM can change it.
     */
    static final Map<String, String> TORCH_ENVIRONMENT = Map.of("OMP_WAIT_POLICY", "PASSIVE");

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Runs {@code java <jvmArgs> <args>} with the JDK running us, appending to {@code log}. */
    static ChildJvm start(String name, List<String> jvmArgs, List<String> args, Path workDir, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        TORCH_ENVIRONMENT.forEach(pb.environment()::putIfAbsent);
        return new ChildJvm(name, pb.start(), log);
    }

    /** Runs a short-lived JVM to completion (a tool), failing with its output if it exits non-zero. */
    static void runToCompletion(String name, List<String> jvmArgs, List<String> args, Path workDir, Path log,
                                long timeoutSeconds) throws IOException, InterruptedException {
        ChildJvm tool = start(name, jvmArgs, args, workDir, log);
        if (!tool.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            tool.close();
            throw new IllegalStateException(name + " did not finish within " + timeoutSeconds + " s; see " + log);
        }
        if (tool.process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed (exit " + tool.process.exitValue() + "):\n" + tool.tail());
        }
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    /** Null while running; otherwise why it is not, with the end of its log. */
    String deathNotice() {
        if (process.isAlive()) {
            return null;
        }
        return name + " exited with code " + process.exitValue() + "; last lines of " + log + ":\n" + tail();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** {@code kill -9}: no shutdown hook, no flush, no commit; a fault to inject. Returns once the process is gone. */
    void kill() {
        try {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: Quarkus and Kafka shut down cleanly (commit offsets, flush logs)
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
