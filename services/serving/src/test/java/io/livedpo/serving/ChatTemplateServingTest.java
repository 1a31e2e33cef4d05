package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.events.ResponseEvent;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.ChatTemplate;
import io.livedpo.policy.tokenizer.TextTokenizer;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Serving a model with its own chat template (the chat-tiny fixture: ChatML, added tokens): prompts are rendered by
 * the template, and a conversation the template refuses is a 400 problem naming why.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(ChatTemplateServingTest.ChatTiny.class)
class ChatTemplateServingTest {

    static final Path MODEL = Path.of("../../libs/policy/src/test/resources/fixtures/chat-tiny");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class ChatTiny implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("livedpo.serving.model-dir", MODEL.toString());
        }
    }

    @Test
    void thePromptIsTheModelsTemplateAndTheEventCarriesTheConversation() throws Exception {
        List<ChatMessage> ask = List.of(new ChatMessage("user", "Hi"));
        int templated;
        int plain;
        try (TextTokenizer tokenizer = TextTokenizer.load(MODEL)) {
            templated = tokenizer.encode(tokenizer.chat().prompt(ask)).length;
            plain = tokenizer.encode(ChatTemplate.PLAIN.prompt(ask)).length;
        }
        assertNotEquals(plain, templated);
        Response r = given().contentType("application/json").body(ChatApiTest.chat("Hi")).post("/v1/chat/completions");
        r.then().statusCode(200).body("usage.prompt_tokens", equalTo(templated));
        JsonNode json = JSON.readTree(r.asString());
        ResponseEvent event = TestClients.awaitResponseEvent(json.at("/choices/0/response_id").asText());
        assertEquals(json.at("/choices/0/message/content").asText(), event.completion());
        assertEquals("Hi", event.messages().get(0).content());
    }

    @Test
    void aConversationTheTemplateRefusesIsAProblemNamingWhy() {
        Map<String, Object> body = Map.of("messages", List.of(Map.of("role", "user", "content", "Hi"),
                Map.of("role", "system", "content", "be terse")), "max_tokens", 4);
        given().contentType("application/json").body(body).post("/v1/chat/completions")
                .then().statusCode(400)
                .header("Content-Type", containsString("application/problem+json"))
                .body("field", equalTo("messages"))
                .body("detail", containsString("role system is not allowed here"));
    }
}
