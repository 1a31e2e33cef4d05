package io.livedpo.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** Reading config.json keys that have no default. */
final class ConfigKeys {

    private ConfigKeys() {
    }

    /** The integer under {@code key}, or an error naming the file and the key. */
    static int required(JsonNode n, String key, Object file) throws IOException {
        if (!n.hasNonNull(key)) {
            throw new IOException(file + ": missing '" + key + "'");
        }
        return n.get(key).asInt();
    }
}
