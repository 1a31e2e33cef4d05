package io.livedpo.cli;

import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true,
        name = "inspect", description = "A checkpoint's metadata (livedpo.json) as one JSON line.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "adapter checkpoint directory")
    Path dir;

    @Override
    public Integer call() throws Exception {
        ModelOptions.existingDir(dir);
        if (!Files.isRegularFile(dir.resolve(AdapterCheckpoint.METADATA_FILE))) {
            throw new BadInputException(dir + ": no " + AdapterCheckpoint.METADATA_FILE + " (not a LiveDPO checkpoint)");
        }
        spec.commandLine().getOut().println(CheckpointJson.compact(AdapterCheckpoint.readMetadata(dir)));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
