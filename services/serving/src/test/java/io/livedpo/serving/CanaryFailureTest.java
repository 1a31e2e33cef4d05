package io.livedpo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.livedpo.serving.service.PolicyRegistry;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.livedpo.serving.grpc.ControlServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A canary that throws (not one that returns non-finite log-probs) must still free the loaded adapter: the probe
 * prompt here is longer than the model's context, so scoring it fails.
 */
@QuarkusTest
@TestProfile(CanaryFailureTest.LongProbe.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class CanaryFailureTest {

    public static class LongProbe implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("livedpo.serving.control.canary-prompts", "tell me more ".repeat(60).trim());
        }
    }

    @Inject
    ControlServer controlServer;

    @Inject
    PolicyRegistry registry;

    @Test
    void aThrowingCanaryRejectsThePushAndLeaksNothing() throws Exception {
        Path work = Files.createTempDirectory("canary");
        TestClients.Archive archive = TestClients.checkpoint(work, "other", 1, TestClients.baseFingerprint(), 0.3f);
        ManagedChannel channel = TestClients.controlChannel(controlServer);
        try {
            ExecutionException e = assertThrows(ExecutionException.class, () -> TestClients.push(
                    TestClients.control(channel, TestClients.TOKEN), "other", 1, archive, archive.sha256(),
                    TestClients.sign(archive.bytes(), TestClients.SIGNING_KEY), archive.bytes().length, false)
                    .get(60, TimeUnit.SECONDS));
            Status status = Status.fromThrowable(e.getCause());
            assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
            assertTrue(status.getDescription().startsWith("canary:"), status.getDescription());
        } finally {
            channel.shutdownNow();
        }
        assertEquals(0, registry.loadedAdapters(), "the rejected version's adapter is still in memory");
        assertEquals(0, registry.active("other").version());
        assertTrue(registry.previous("other").isEmpty());
    }
}
