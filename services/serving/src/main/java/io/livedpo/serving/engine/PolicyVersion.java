package io.livedpo.serving.engine;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.lora.LoraAdapter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a policy: the base model alone (version 0) or the base with an adapter checkpoint. Whoever
 * uses it holds a {@link VersionLease}; the adapter's native memory is freed when the last lease closes, so a version
 * swapped out keeps serving the requests that started on it.
 */
public final class PolicyVersion {

    private final PolicyModel base;
    private final String policy;
    private final long version;
    private final LoraAdapter adapter;
    private final CheckpointMetadata metadata;
    private final Runnable onFree;
    /** Open leases; at zero the version is freed and can never be leased again. */
    private final AtomicInteger leases = new AtomicInteger(1);

    private PolicyVersion(PolicyModel base, String policy, long version, LoraAdapter adapter,
                          CheckpointMetadata metadata, Runnable onFree) {
        this.base = base;
        this.policy = policy;
        this.version = version;
        this.adapter = adapter;
        this.metadata = metadata;
        this.onFree = onFree;
    }

    /** The base model as version 0 of a policy. */
    public static VersionLease base(PolicyModel base, String policy) {
        return new VersionLease(new PolicyVersion(base, policy, 0, null, null, () -> { }));
    }

    /**
     * A version that owns {@code adapter}, with the first lease on it; {@code onFree} runs once, after the adapter is
     * closed.
     */
    public static VersionLease of(PolicyModel base, LoraAdapter adapter, CheckpointMetadata metadata,
                                  Runnable onFree) {
        return new VersionLease(new PolicyVersion(base, metadata.policy(), metadata.version(), adapter, metadata,
                onFree));
    }

    /** A new lease, or none once the version has been freed (a swap retired it between a read and this call). */
    public Optional<VersionLease> tryLease() {
        while (true) {
            int n = leases.get();
            if (n == 0) {
                return Optional.empty();
            }
            if (leases.compareAndSet(n, n + 1)) {
                return Optional.of(new VersionLease(this));
            }
        }
    }

    /** Called by a closing lease only. */
    void release() {
        int left = leases.decrementAndGet();
        if (left == 0 && adapter != null) {
            adapter.close();
            onFree.run();
        } else if (left < 0) {
            throw new IllegalStateException(label() + " released more often than leased");
        }
    }

    /** Open leases, for tests and diagnostics. */
    public int leases() {
        return leases.get();
    }

    public PolicyModel base() {
        return base;
    }

    public String policy() {
        return policy;
    }

    public long version() {
        return version;
    }

    /** The adapter to decode with; null for the base model. */
    public LoraAdapter adapter() {
        return adapter;
    }

    /** The checkpoint's metadata; null for the base model. */
    public CheckpointMetadata metadata() {
        return metadata;
    }

    /** {@code policy@version}, as responses name the model. */
    public String label() {
        return policy + "@" + version;
    }
}
