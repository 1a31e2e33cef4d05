package io.livedpo.events;

/** Topic names of the Kafka contract. The {@code .v1} suffix changes only with an incompatible record change. */
public final class Topics {

    public static final String RESPONSES = "livedpo.responses.v1";
    public static final String FEEDBACK = "livedpo.feedback.v1";
    public static final String PAIRS = "livedpo.pairs.v1";
    /** Compacted, keyed by policy: the latest announcement per policy is what a new replica catches up from. */
    public static final String CHECKPOINTS = "livedpo.checkpoints.v1";
    /**
     * Compacted, keyed by {@code policy@candidateVersion}: the live canary's verdict on each candidate, kept forever
     * so that a starting replica or trainer knows every promotion and rollback.
     */
    public static final String CANARY_DECISIONS = "livedpo.canary-decisions.v1";

    private static final String DLQ_SUFFIX = ".dlq";

    private Topics() {
    }

    /** Where poison records read from {@code topic} go, with the reason in {@link DeadLetterHeaders}. */
    public static String deadLetter(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
