package io.livedpo.serving.service;

import io.livedpo.events.CanaryArm;
import io.livedpo.serving.engine.VersionLease;

/**
 * Where the registry sent a request: a lease on the version that answers it, and the live-canary experiment it was
 * randomly assigned in ({@code arm} null when no canary ran or the request pinned its version).
 */
public record Routed(VersionLease lease, CanaryArm arm) {
}
