package io.livedpo.local;

/** The faults the chaos runner injects, each followed by a restart of what it took down. */
public enum Fault {
    /** {@code kill -9} of the last serving replica (the others keep serving), then a restart that catches up. */
    SERVING_KILL("serving-kill"),
    /** {@code kill -9} of feedback: its REST intake and its Kafka Streams pairing together. */
    FEEDBACK_KILL("feedback-kill"),
    /**
     * {@code kill -9} of the trainer the moment its step counter moves: with a checkpoint after every step, the kill
     * lands in the step → checkpoint → offset commit → announce/push sequence, or in the next step.
     */
    TRAINER_KILL("trainer-kill"),
    /** The broker stopped (SIGTERM) for a while, then started on the same log dir. */
    BROKER_RESTART("broker-restart"),
    /**
     * A network partition between the trainer and the last serving replica ({@link PartitionProxy} on both links:
     * pushes to it, its fetches from the trainer's store): all traffic held (black-holed, no reset) for a while, then
     * healed. The replica keeps serving chat and reading the broker meanwhile.
     */
    TRAINER_PARTITION("trainer-partition");

    private final String label;

    Fault(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses a label ({@code serving-kill}) as the command line spells it. */
    public static Fault of(String label) {
        for (Fault f : values()) {
            if (f.label.equals(label)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + label + "'; known: " + String.join(", ",
                java.util.Arrays.stream(values()).map(Fault::label).toList()));
    }
}
