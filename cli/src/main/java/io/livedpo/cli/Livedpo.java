package io.livedpo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code livedpo} command line: the policy library's operations on local files, JSON on stdout. */
// Each sub-command's @Command sets mixinStandardHelpOptions too, so every one answers --help (HelpTest).
@Command(name = "livedpo", mixinStandardHelpOptions = true, version = "livedpo 0.1.0",
        description = "Tokenize, score, generate, train (DPO), inspect and export GPT-2 and Llama-family models and LoRA adapters.",
        subcommands = {TokenizeCommand.class, ScoreCommand.class, GenerateCommand.class, TrainCommand.class,
                InspectCommand.class, ExportCommand.class, BenchCommand.class, PretrainCommand.class,
                PretrainDemoCommand.class, SimulateOfflineCommand.class, UpCommand.class, ChaosCommand.class, ReplayCommand.class, ExportTopicsCommand.class, FrontierCommand.class, EvaluateCommand.class,
                ModelsCommand.class})
public final class Livedpo {

    /** Exit code for bad input (missing file, malformed line, invalid option), as picocli uses for usage errors. */
    static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static CommandLine commandLine() {
        // Models come from local files only: DJL must never try to download anything.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        CommandLine cli = new CommandLine(new Livedpo());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof BadInputException || e instanceof java.io.IOException
                    || e instanceof IllegalArgumentException) {
                cmd.getErr().println("livedpo " + cmd.getCommandName() + ": " + e.getMessage());
                return BAD_INPUT;
            }
            throw e;
        });
        return cli;
    }

    static int run(String... args) {
        return commandLine().execute(args);
    }
}
