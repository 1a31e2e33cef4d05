package io.livedpo.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text corpus: UTF-8 documents separated by lines that hold only {@code <|endoftext|>} (GPT-2's document
 * separator, so the file reads as the token stream it becomes). A file without separators is one document. Each
 * document is its lines joined by "\n"; blank documents are dropped.
 */
final class CorpusFile {

    static final String SEPARATOR = "<|endoftext|>";

    private CorpusFile() {
    }

    static List<String> read(Path file) throws IOException {
        List<String> documents = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean empty = true;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.strip().equals(SEPARATOR)) {
                    add(documents, current);
                    current.setLength(0);
                    empty = true;
                } else {
                    if (!empty) {
                        current.append('\n');
                    }
                    current.append(line);
                    empty = false;
                }
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        }
        add(documents, current);
        if (documents.isEmpty()) {
            throw new BadInputException(file + ": no text (documents are separated by lines holding only "
                    + SEPARATOR + ")");
        }
        return documents;
    }

    private static void add(List<String> documents, StringBuilder document) {
        if (!document.toString().isBlank()) {
            documents.add(document.toString());
        }
    }
}
