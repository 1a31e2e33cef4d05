package io.livedpo.serving.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A hold on one {@link PolicyVersion}: while any lease is open the version's adapter stays in memory. Each holder
 * closes its own lease exactly once (closing again does nothing), and {@link #share()} gives a further holder its own.
 */
public final class VersionLease implements AutoCloseable {

    private final PolicyVersion version;
    private final AtomicBoolean closed = new AtomicBoolean();

    VersionLease(PolicyVersion version) {
        this.version = version;
    }

    public PolicyVersion version() {
        return version;
    }

    /** Another lease on the same version, for a holder with its own lifetime (a decoding task). */
    public VersionLease share() {
        if (closed.get()) {
            throw new IllegalStateException("lease on " + version.label() + " is closed");
        }
        // This lease is open, so the version cannot have been freed: tryLease succeeds.
        return version.tryLease().orElseThrow();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            version.release();
        }
    }
}
