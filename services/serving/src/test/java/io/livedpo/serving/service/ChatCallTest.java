package io.livedpo.serving.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livedpo.policy.tokenizer.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatCallTest {

    private static ChatCall call(String policy, String user) {
        return new ChatCall(policy, List.of(new ChatMessage("user", "hi")), null, null, null, null, null, null, user);
    }

    @Test
    void idsInTheSharedFormatOrAbsentAreAccepted() {
        assertEquals("alice@example.com", call("default", "alice@example.com").user());
        assertEquals(null, call(null, null).user());
        assertEquals("", call("", "").user(), "proto3's absent strings");
    }

    @Test
    void markupAndControlCharactersInIdsAreRefusedNamingTheField() {
        InvalidRequestException user = assertThrows(InvalidRequestException.class,
                () -> call("default", "\u0000\u0001<script>"));
        assertEquals("user", user.field());
        InvalidRequestException model = assertThrows(InvalidRequestException.class,
                () -> call("<img onerror=x>", "alice"));
        assertEquals("model", model.field());
    }
}
