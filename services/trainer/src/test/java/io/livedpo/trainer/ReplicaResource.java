package io.livedpo.trainer;

import io.livedpo.testing.logs.CapturedLogs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Queue;

/**
 * Starts a {@link RecordingReplica} before the trainer and points the trainer's push targets and store at it; captures
 * the process' logs from then on ({@link #LOGS}).
 */
public class ReplicaResource implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "test-token";
    static final String SIGNING_KEY = "test-signing-key";
    static RecordingReplica replica;
    /** Every log record from before the trainer starts, to check that no secret is ever logged. */
    static final Queue<String> LOGS = CapturedLogs.newQueue();
    private CapturedLogs capture;

    @Override
    public Map<String, String> start() {
        capture = CapturedLogs.install(LOGS);
        try {
            replica = new RecordingReplica(TOKEN, SIGNING_KEY);
            return Map.of("livedpo.trainer.publish.targets", replica.target(),
                    "livedpo.trainer.store-dir", Files.createTempDirectory("livedpo-store-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        replica.close();
        capture.close();
    }
}
