package io.livedpo.events;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdFormatTest {

    @Test
    void theIdsTheSystemMakesAndUsualUserIdsFit() {
        for (String id : List.of(UUID.randomUUID().toString(), "chatcmpl-" + UUID.randomUUID() + "-1", "sim-17",
                "alice@example.com", "tenant:42.user_7", "x".repeat(IdFormat.MAX_CHARS))) {
            assertTrue(IdFormat.valid(id), id);
        }
    }

    @Test
    void controlCharactersMarkupSpacesEmptyAndOverlongDoNot() {
        for (String id : List.of("\u0000\u0001<script>", "<img onerror=x>", "a b", "", "tab\t", "é",
                "x".repeat(IdFormat.MAX_CHARS + 1), "line\nbreak")) {
            assertFalse(IdFormat.valid(id), id);
        }
        assertFalse(IdFormat.valid(null));
    }
}
