package io.livedpo.serving;

import io.livedpo.testing.logs.CapturedLogs;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;

/**
 * Captures every log record of the app under test from before it starts (so start-up logging counts too), with
 * distinct secrets configured so a leak cannot be confused with other text. The test gets the formatted records
 * through a field {@code capturedLogs} ({@code Queue<String>}) and the secrets through {@code secrets}
 * ({@code Map<String, String>}): JDK types, as Quarkus may load this and the test in different class loaders.
 */
public class LogCapture implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN_KEY = "livedpo.serving.control.token";
    static final String SIGNING_KEY = "livedpo.serving.control.signing-key";

    private final Queue<String> records = CapturedLogs.newQueue();
    private final Map<String, String> secrets = Map.of(TOKEN_KEY, "tok-" + UUID.randomUUID(),
            SIGNING_KEY, "key-" + UUID.randomUUID());
    private CapturedLogs capture;

    @Override
    public Map<String, String> start() {
        capture = CapturedLogs.install(records);
        return secrets;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(records, (Field f) -> f.getName().equals("capturedLogs")
                && f.getType().getName().equals(Queue.class.getName()));
        injector.injectIntoFields(secrets, (Field f) -> f.getName().equals("secrets")
                && f.getType().getName().equals(Map.class.getName()));
    }

    @Override
    public void stop() {
        capture.close();
    }
}
