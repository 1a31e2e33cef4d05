package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every sub-command, at every depth, answers --help with its usage and exit 0 (a new user's first try). */
class HelpTest {

    @Test
    void everySubcommandAnswersHelp() {
        List<String> paths = new ArrayList<>();
        collect(Livedpo.commandLine(), "", paths);
        assertTrue(paths.size() >= 16, "commands found: " + paths);
        for (String path : paths) {
            List<String> args = new ArrayList<>(List.of(path.split(" ")));
            args.add("--help");
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), path + " --help: " + run.err());
            assertTrue(run.out().contains("Usage: livedpo " + path), path + " --help printed: " + run.out());
        }
    }

    private static void collect(CommandLine cmd, String prefix, List<String> paths) {
        cmd.getSubcommands().forEach((name, sub) -> {
            String path = (prefix + " " + name).trim();
            paths.add(path);
            collect(sub, path, paths);
        });
    }
}
