package io.livedpo.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** The three Quarkus services, started from their packaged apps ({@code target/quarkus-app}). */
public enum Service {
    SERVING("serving"),
    FEEDBACK("feedback"),
    TRAINER("trainer");

    private final String module;

    Service(String module) {
        this.module = module;
    }

    public String displayName() {
        return module;
    }

    /** The module directory, relative to the repository root. */
    public String modulePath() {
        return "services/" + module;
    }

    public Path jar(Path home) {
        return home.resolve(modulePath()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public boolean inCheckout(Path home) {
        return Files.isRegularFile(home.resolve(modulePath()).resolve("pom.xml"));
    }

    public boolean built(Path home) {
        return Files.isRegularFile(jar(home));
    }
}
