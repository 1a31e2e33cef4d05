package io.livedpo.policy.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.policy.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden templates (written in the style of ChatML/Qwen2, Llama 3, Mistral and an older dash-free template)
 * rendered by our engine equal, byte for byte, what Python's jinja2 renders with transformers' settings
 * (tools/reference/chat_goldens.py wrote expected.json).
 */
class ChatTemplateGoldenTest {

    private static final Path DIR = Fixtures.ROOT.resolve("chat-goldens");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyCaseRendersAsJinja2Does() throws IOException {
        JsonNode cases = JSON.readTree(DIR.resolve("cases.json").toFile());
        JsonNode expected = JSON.readTree(DIR.resolve("expected.json").toFile());
        assertEquals(cases.size(), expected.size(), "expected.json is stale: rerun tools/reference/chat_goldens.py");
        return Stream.of(cases.fieldNames()).flatMap(it -> {
            Stream.Builder<String> names = Stream.builder();
            it.forEachRemaining(names);
            return names.build();
        }).map(name -> DynamicTest.dynamicTest(name, () -> check(cases.get(name), expected.get(name))));
    }

    private static String visible(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace(" ", "\u00b7");
    }

    private static void check(JsonNode c, JsonNode want) throws IOException {
        String template = Files.readString(DIR.resolve(c.get("template").asText()));
        Map<String, Object> context = new HashMap<>(JSON.convertValue(c, new TypeReference<Map<String, Object>>() { }));
        context.remove("template");
        context.putIfAbsent("tools", null);
        if (want.has("error")) {
            ChatTemplateException e = assertThrows(ChatTemplateException.class,
                    () -> JinjaEngine.render(template, context));
            assertEquals(want.get("error").asText(), e.getMessage());
        } else {
            // Escaped so a failure shows where whitespace differs.
            assertEquals(visible(want.get("text").asText()), visible(JinjaEngine.render(template, context)));
        }
    }
}
