package io.livedpo.serving.service;

import io.livedpo.events.CanaryArm;
import io.livedpo.serving.engine.VersionLease;
import java.util.List;

/**
 * Where the registry sent a request: per choice, a lease on the version that answers it (usually one lease for all
 * choices; a live canary's A/B pair has the parent and the candidate, in random order), and the live-canary
 * experiment it was randomly assigned in ({@code arm} null when no canary ran or the request pinned its version).
 */
public record Routed(List<VersionLease> leases, CanaryArm arm) {

    /** Every choice on one version. */
    public Routed(VersionLease lease, CanaryArm arm) {
        this(List.of(lease), arm);
    }

    public Routed {
        leases = List.copyOf(leases);
    }

    /** The lease of choice {@code index}; one lease serves every choice. */
    public VersionLease lease(int index) {
        return leases.size() == 1 ? leases.get(0) : leases.get(index);
    }
}
