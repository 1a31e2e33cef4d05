package io.livedpo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.livedpo.transfer.ArchiveSignature;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving never logs the control token or the HMAC key: from start-up through a verified push, pushes with a wrong
 * or missing token and with a bad signature, every log record (message, parameters, exceptions) is free of both.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = LogCapture.class, restrictToAnnotatedClass = true)
class SecretsNeverLoggedTest extends LoopbackChannelTest {

    /** Injected by {@link LogCapture}. */
    Queue<String> capturedLogs;
    /** The token and signing key this app runs with; injected by {@link LogCapture}. */
    Map<String, String> secrets;

    @TempDir
    Path work;

    @Test
    void pushesGoodAndBadLeaveNeitherSecretInTheLogs() throws Exception {
        assertNotNull(capturedLogs, "LogCapture did not inject its records");
        String token = secrets.get(LogCapture.TOKEN_KEY);
        String key = secrets.get(LogCapture.SIGNING_KEY);
        TestClients.Archive archive = TestClients.checkpoint(work, "other", 1, TestClients.baseFingerprint(), 0.3f);
        byte[] signature = new ArchiveSignature(Optional.of(key)).sign(archive.bytes());
        int n = archive.bytes().length;

        assertEquals(Status.Code.UNAUTHENTICATED, failure(TestClients.push(TestClients.control(controlChannel,
                token + "x"), "other", 1, archive, archive.sha256(), signature, n, false)), "wrong token");
        assertEquals(Status.Code.UNAUTHENTICATED, failure(TestClients.push(TestClients.control(controlChannel, null),
                "other", 1, archive, archive.sha256(), signature, n, false)), "no token");
        assertEquals(Status.Code.FAILED_PRECONDITION, failure(TestClients.push(TestClients.control(controlChannel, token),
                "other", 1, archive, archive.sha256(), new byte[32], n, false)), "bad signature");
        PushCheckpointResponse ok = TestClients.push(TestClients.control(controlChannel, token), "other", 1, archive,
                archive.sha256(), signature, n, false).get(60, TimeUnit.SECONDS);
        assertEquals(Outcome.ACTIVATED, ok.getOutcome());

        assertTrue(capturedLogs.size() > 10, "the capture saw the app's logging: " + capturedLogs.size());
        assertTrue(capturedLogs.stream().anyMatch(r -> r.contains("other")), "the pushes were logged");
        for (String record : capturedLogs) {
            assertFalse(record.contains(token), "the control token was logged: " + record);
            assertFalse(record.contains(key), "the signing key was logged: " + record);
        }
    }

    private static Status.Code failure(CompletableFuture<PushCheckpointResponse> push) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> push.get(60, TimeUnit.SECONDS));
        return Status.fromThrowable(e.getCause()).getCode();
    }
}
