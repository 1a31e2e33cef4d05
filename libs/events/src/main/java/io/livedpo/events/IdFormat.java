package io.livedpo.events;

import java.util.regex.Pattern;

/**
 * The format every id and name a client hands the services must have (response ids, user ids, policy names,
 * idempotency keys): 1 to 128 characters of ASCII letters, digits and {@code . _ : @ -}. Enforced at the edge, so
 * control characters and markup never reach Kafka, logs or the chat page. UUIDs, {@code chatcmpl-<uuid>-0}, e-mail
 * addresses and {@code sim-17} all fit.
 */
public final class IdFormat {

    public static final int MAX_CHARS = 128;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_CHARS + "}");

    /** Why a value is refused, for a 400's detail. */
    public static final String RULE = "1 to " + MAX_CHARS + " characters of letters, digits and . _ : @ -";

    private IdFormat() {
    }

    public static boolean valid(String value) {
        return value != null && ID.matcher(value).matches();
    }
}
