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

/**
 * {@code livedpo.serving.batching.engine=torch}: the replica decodes with PyTorch instead of the default Java engine
 * (the two engines' tokens are compared in libs/policy's {@code PackedBatchTest}).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(TorchEngineServingTest.Torch.class)
class TorchEngineServingTest {

    public static class Torch implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("livedpo.serving.batching.engine", "torch");
        }
    }

    @Test
    void servesChatWithPyTorchAndLabelsItsModelInfo() {
        given().contentType("application/json").body(ChatApiTest.chat("What is 2 + 2?")).post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].finish_reason", not(equalTo(null)));
        TestClients.management().get("/q/metrics").then().statusCode(200)
                .body(containsString("engine=\"torch\""));
    }
}
