package io.livedpo.cli;

import io.livedpo.local.TopicExport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A running loop's record for {@code livedpo replay}; {@code livedpo up} writes the same when it stops. */
@Command(mixinStandardHelpOptions = true, name = "export-topics",
        description = "Write the responses, feedback, pairs and checkpoints topics of a running loop as JSON lines"
                + " (<out>/<topic>.jsonl, committed records only), for livedpo replay.")
final class ExportTopicsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", paramLabel = "HOST:PORT")
    String bootstrapServers;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<Path> files = TopicExport.write(bootstrapServers, out);
        Map<String, Object> result = new LinkedHashMap<>();
        for (Path f : files) {
            result.put(f.getFileName().toString(), java.nio.file.Files.readAllLines(f).size());
        }
        Json.print(spec.commandLine().getOut(), result);
        return 0;
    }
}
