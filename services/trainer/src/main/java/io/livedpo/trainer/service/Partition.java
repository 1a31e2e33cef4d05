package io.livedpo.trainer.service;

/**
 * A partition of the pairs topic, as training state and checkpoints name it: Kafka's own type stays in messaging.
 * Written into checkpoints as {@code topic-number}, the form Kafka prints, so older checkpoints read back unchanged.
 */
public record Partition(String topic, int number) {

    public Partition {
        if (topic == null || topic.isEmpty() || number < 0) {
            throw new IllegalArgumentException("not a partition: " + topic + " " + number);
        }
    }

    /** Reads {@link #toString()}; topic names may themselves contain '-', the number follows the last one. */
    public static Partition parse(String text) {
        int dash = text.lastIndexOf('-');
        if (dash <= 0) {
            throw new IllegalArgumentException("not a topic-partition: '" + text + "'");
        }
        return new Partition(text.substring(0, dash), Integer.parseInt(text.substring(dash + 1)));
    }

    @Override
    public String toString() {
        return topic + "-" + number;
    }
}
