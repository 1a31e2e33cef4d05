package io.livedpo.cli;

import io.livedpo.policy.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(mixinStandardHelpOptions = true,
        name = "tokenize", description = "Token ids of a text, no special tokens added: {\"ids\":[...]}")
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "directory with tokenizer.json")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "T")
    String text;

    @Override
    public Integer call() throws Exception {
        try (TextTokenizer tokenizer = TextTokenizer.load(ModelOptions.existingDir(model))) {
            Json.print(spec.commandLine().getOut(), Map.of("ids", tokenizer.encode(text)));
        }
        return 0;
    }
}
