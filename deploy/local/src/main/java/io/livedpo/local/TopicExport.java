package io.livedpo.local;

import io.livedpo.events.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A run's record: the topics a recipe can be replayed from ({@code livedpo replay}) written as JSON lines, one record
 * value per line in partition-then-offset order, committed records only. {@code livedpo up} writes it when it stops.
 */
public final class TopicExport {

    /** What a run's votes and what became of them are: the inputs and the output of pairing, and the versions. */
    public static final List<String> TOPICS = List.of(Topics.RESPONSES, Topics.FEEDBACK, Topics.PAIRS,
            Topics.CHECKPOINTS);

    private TopicExport() {
    }

    /** Writes {@code <dir>/<topic>.jsonl} for each of {@link #TOPICS}; returns the files. */
    public static List<Path> write(String bootstrapServers, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (String topic : TOPICS) {
            List<String> values = TopicAudit.readAll(bootstrapServers, topic, new StringDeserializer());
            Path file = dir.resolve(topic + ".jsonl");
            // Values are single-line JSON: the services' serdes write compact JSON.
            Files.write(file, values.stream().filter(v -> v != null).toList(), StandardCharsets.UTF_8);
            written.add(file);
        }
        return written;
    }
}
