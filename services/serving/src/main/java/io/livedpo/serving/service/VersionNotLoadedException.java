package io.livedpo.serving.service;

import java.util.List;

/** A request pinned {@code policy@version} and that version is not loaded here (HTTP 404, gRPC NOT_FOUND). */
public final class VersionNotLoadedException extends RuntimeException {

    private final List<String> loaded;

    public VersionNotLoadedException(String policy, long version, List<String> loaded) {
        super(policy + "@" + version + " is not loaded; loaded: " + String.join(", ", loaded));
        this.loaded = List.copyOf(loaded);
    }

    /** What the client may pin instead, as {@code policy@version}. */
    public List<String> loaded() {
        return loaded;
    }
}
