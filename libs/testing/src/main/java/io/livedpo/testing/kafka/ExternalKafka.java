package io.livedpo.testing.kafka;

/** A broker someone else runs (CI service, developer's cluster); it outlives the tests, so close() leaves it. */
record ExternalKafka(String bootstrapServers) implements KafkaBroker {

    @Override
    public String description() {
        return "external broker at " + bootstrapServers + " (" + KafkaBrokers.BOOTSTRAP_ENV + ")";
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
