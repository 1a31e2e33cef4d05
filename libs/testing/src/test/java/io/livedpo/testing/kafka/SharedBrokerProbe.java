package io.livedpo.testing.kafka;

import java.util.concurrent.atomic.AtomicReference;

/** Remembers the first broker any test class was given, so the others can check they got the same one. */
final class SharedBrokerProbe {

    private static final AtomicReference<KafkaBroker> FIRST = new AtomicReference<>();

    private SharedBrokerProbe() {
    }

    static KafkaBroker firstSeen(KafkaBroker candidate) {
        FIRST.compareAndSet(null, candidate);
        return FIRST.get();
    }
}
