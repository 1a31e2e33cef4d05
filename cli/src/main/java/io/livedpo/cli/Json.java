package io.livedpo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** JSON in and out: one object per stdout line, JSONL files read with their line numbers for error messages. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static void print(PrintWriter out, Object value) {
        try {
            out.println(MAPPER.writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A visitor of the objects of a JSONL file; may throw BadInputException, which gets the line prefixed. */
    interface LineHandler {
        void accept(int lineNumber, JsonNode object) throws IOException;
    }

    /** Reads every non-blank line as a JSON object; a missing file or a bad line is a BadInputException naming it. */
    static void readLines(Path file, LineHandler handler) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new BadInputException(file + ":" + number + ": invalid JSON: " + e.getOriginalMessage());
                }
                if (!node.isObject()) {
                    throw new BadInputException(file + ":" + number + ": expected a JSON object");
                }
                try {
                    handler.accept(number, node);
                } catch (BadInputException | IllegalArgumentException e) {
                    throw new BadInputException(file + ":" + number + ": " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        }
    }

    /** A required string field. */
    static String text(JsonNode object, String field) {
        JsonNode v = object.get(field);
        if (v == null || !v.isTextual()) {
            throw new BadInputException("field '" + field + "' must be a string");
        }
        return v.asText();
    }
}
