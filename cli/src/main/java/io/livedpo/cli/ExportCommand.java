package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true,
        name = "export", description = "Fold an adapter into the base and write a full Hugging Face model directory.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions models;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new model directory")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (models.adapter == null) {
            throw new BadInputException("--adapter is required: export merges an adapter into the base");
        }
        if (Files.exists(out)) {
            throw new BadInputException(out + ": already exists");
        }
        try (PolicyModel base = models.open()) {
            base.exportMerged(models.adapter(base), out);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("out", out.toString());
        result.put("fingerprint", io.livedpo.policy.checkpoint.ModelFingerprint.of(out));
        Json.print(spec.commandLine().getOut(), result);
        return 0;
    }
}
