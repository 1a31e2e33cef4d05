package io.livedpo.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** Starts a {@link RecordingReplica} before the trainer and points the trainer's push targets and store at it. */
public class ReplicaResource implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "test-token";
    static final String SIGNING_KEY = "test-signing-key";
    static RecordingReplica replica;

    @Override
    public Map<String, String> start() {
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
    }
}
