package io.livedpo.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code livedpo.serving.base-precision=bf16}: the replica serves with the bf16 base and says so in its metrics. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(Bf16ServingTest.Bf16.class)
class Bf16ServingTest {

    public static class Bf16 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("livedpo.serving.base-precision", "bf16");
        }
    }

    @Test
    void servesChatWithTheBf16BaseAndLabelsItsModelInfo() {
        given().contentType("application/json").body(ChatApiTest.chat("What is 2 + 2?")).post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].finish_reason", not(equalTo(null)));
        TestClients.management().get("/q/metrics").then().statusCode(200)
                .body(containsString("base_precision=\"bf16\"")).body(containsString("engine=\"java\""));
    }
}
