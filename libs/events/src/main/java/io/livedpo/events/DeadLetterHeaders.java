package io.livedpo.events;

/** Headers on a dead-lettered record; its key and value are the poison record's, byte for byte. */
public final class DeadLetterHeaders {

    /** Short machine-readable cause, e.g. {@code malformed}. */
    public static final String REASON = "livedpo.dlq.reason";
    /** Human-readable detail (the parser's message). */
    public static final String DETAIL = "livedpo.dlq.detail";
    public static final String SOURCE_TOPIC = "livedpo.dlq.topic";
    public static final String SOURCE_PARTITION = "livedpo.dlq.partition";
    public static final String SOURCE_OFFSET = "livedpo.dlq.offset";

    private DeadLetterHeaders() {
    }
}
