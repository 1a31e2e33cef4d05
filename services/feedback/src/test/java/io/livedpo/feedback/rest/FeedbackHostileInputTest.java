package io.livedpo.feedback.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.events.IdFormat;
import io.livedpo.testing.hostile.Hostile;
import io.livedpo.testing.hostile.Tries;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hostile bodies and headers on both feedback endpoints, over real HTTP: the answer is a 202 for input that is valid
 * (every id then in {@link IdFormat}) or a 4xx {@code application/problem+json}, never a 5xx. 150 seeded tries per
 * endpoint. The one 4xx without a problem body is 431 for headers over 8 KiB: the HTTP codec answers it before any
 * route runs.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class FeedbackHostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRIES = 150;
    /** Vert.x' default limit on all headers together. */
    private static final int HEADER_LIMIT = 8192;

    @Test
    void thumbsAnswerOnly202OrA4xxProblem() {
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("response_id", "resp-1");
        valid.put("rating", "up");
        valid.put("user_id", "alice");
        valid.put("comment", "fine");
        Tries.check("POST /v1/feedback", TRIES, random -> answer("/v1/feedback", valid, random,
                List.of("response_id")));
    }

    @Test
    void choicesAnswerOnly202OrA4xxProblem() {
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("chosen_response_id", "c-1");
        valid.put("rejected_response_id", "r-1");
        valid.put("user_id", "bob");
        Tries.check("POST /v1/feedback/pairwise", TRIES, random -> answer("/v1/feedback/pairwise", valid, random,
                List.of("chosen_response_id", "rejected_response_id")));
    }

    private static void answer(String path, Map<String, Object> valid, SplittableRandom random, List<String> ids)
            throws JsonProcessingException {
        String body = Hostile.body(random, valid, FeedbackHostileInputTest::json);
        RequestSpecification request = given().body(body.getBytes(StandardCharsets.UTF_8))
                .contentType(Hostile.pick(random, "application/json", "application/json", "text/plain",
                        "application/json; charset=latin1", "multipart/form-data; boundary=x"));
        // Header values travel as ISO-8859-1: keep hostile ones to what HTTP can carry at all.
        String header = Hostile.text(random).replaceAll("[^\\x20-\\x7e]", "?");
        int headerCase = random.nextInt(4);
        switch (headerCase) {
            case 0 -> request.header(new Header("Idempotency-Key", header.isEmpty() ? "k" : header));
            case 1 -> request.header(new Header("X-Forwarded-For", header.isEmpty() ? "1.2.3.4" : header));
            case 2 -> request.header(new Header("Content-Length-Junk", header.isEmpty() ? "x" : header));
            default -> { }
        }
        Response r = request.post(path);
        int status = r.statusCode();
        String context = status + " for " + abbreviate(body) + ": " + abbreviate(r.asString());
        if (headerCase < 3 && header.length() > HEADER_LIMIT) {
            // Refused by the HTTP codec before any route runs, so without a problem body (documented).
            assertEquals(431, status, context);
            return;
        }
        assertTrue(status == 202 || status >= 400 && status < 500, context);
        if (status == 202) {
            JsonNode accepted = JSON.readTree(body);
            for (String id : ids) {
                assertTrue(IdFormat.valid(accepted.path(id).asText(null)), "accepted an id outside the format: "
                        + context);
            }
        } else {
            assertEquals("application/problem+json", r.contentType().split(";")[0], context);
            JsonNode problem = JSON.readTree(r.asString());
            assertEquals(status, problem.path("status").asInt(), context);
            assertTrue(problem.path("type").isTextual(), context);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…(" + s.length() + " chars)" : s;
    }
}
