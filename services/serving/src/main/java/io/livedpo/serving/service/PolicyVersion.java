package io.livedpo.serving.service;

import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.lora.LoraAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a policy: the base (version 0, no adapter) or an adapter checkpoint. Requests hold a reference
 * while they decode, so a version swapped out keeps serving the requests that started on it and frees its adapter only
 * when the last of them finishes.
 */
public final class PolicyVersion {

    private final String policy;
    private final long version;
    private final LoraAdapter adapter;
    private final CheckpointMetadata metadata;
    /** Holders: 1 for the registry while the version is active/previous/standby, plus one per request in flight. */
    private final AtomicInteger references = new AtomicInteger(1);

    public PolicyVersion(String policy, long version, LoraAdapter adapter, CheckpointMetadata metadata) {
        this.policy = policy;
        this.version = version;
        this.adapter = adapter;
        this.metadata = metadata;
    }

    /** Takes a reference for a request; false once the version has been retired and freed. */
    boolean tryAcquire() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a request's reference (or the registry's, on retirement); the last one frees the adapter. */
    public void release() {
        if (references.decrementAndGet() == 0 && adapter != null) {
            adapter.close();
        }
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
