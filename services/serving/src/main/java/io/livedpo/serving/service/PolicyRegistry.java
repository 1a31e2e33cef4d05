package io.livedpo.serving.service;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.engine.PolicyVersion;
import io.livedpo.serving.engine.VersionLease;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The base model and, per policy, the active version, the previous one (kept for rollback) and standbys (loaded,
 * canaried, not yet active). Swaps are atomic: a request leases whatever version is active when it starts.
 */
@ApplicationScoped
public class PolicyRegistry {

    private static final Logger LOG = Logger.getLogger(PolicyRegistry.class);

    private final ServingConfig config;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final MultiGauge modelInfo;
    private final AtomicInteger loadedAdapters = new AtomicInteger();
    private volatile PolicyModel base;

    public PolicyRegistry(ServingConfig config, MeterRegistry meters) {
        this.config = config;
        this.modelInfo = MultiGauge.builder("livedpo.serving.model.info")
                .description("1 for the version each policy serves").register(meters);
        Gauge.builder("livedpo.serving.model.adapters.loaded", loadedAdapters, AtomicInteger::get)
                .description("adapter versions holding native memory, in use or kept for rollback").register(meters);
    }

    void start(@Observes StartupEvent event) {
        try {
            base = PolicyModel.open(config.modelDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the base model from " + config.modelDir(), e);
        }
        for (String policy : config.policies()) {
            slots.put(policy, new Slot(PolicyVersion.base(base, policy)));
        }
        publishModelInfo();
        LOG.infof("serving %s on base model %s (%s)", config.policies(), config.modelDir(), base.fingerprint());
    }

    void stop(@Observes ShutdownEvent event) {
        if (base != null) {
            base.close();
        }
    }

    public boolean ready() {
        return base != null;
    }

    public PolicyModel base() {
        return base;
    }

    public List<String> policies() {
        return List.copyOf(slots.keySet());
    }

    /** A lease on the active version, which the caller closes when its request is done. */
    public VersionLease acquire(String policy) {
        Slot slot = slot(policy);
        while (true) {
            Optional<VersionLease> lease = slot.active.version().tryLease();
            if (lease.isPresent()) {
                return lease.get();
            }
            // Retired between the read and the lease: the swap has published a newer one; read again.
        }
    }

    public PolicyVersion active(String policy) {
        return slot(policy).active.version();
    }

    public Optional<PolicyVersion> previous(String policy) {
        return Optional.ofNullable(slot(policy).previous).map(VersionLease::version);
    }

    /**
     * A version of a freshly loaded adapter, with its first lease; the registry counts it as loaded until its last
     * lease closes.
     */
    public VersionLease open(LoraAdapter adapter, CheckpointMetadata metadata) {
        loadedAdapters.incrementAndGet();
        return PolicyVersion.of(base, adapter, metadata, loadedAdapters::decrementAndGet);
    }

    /** Adapter versions holding native memory: active, previous, standby, and retired ones still serving requests. */
    public int loadedAdapters() {
        return loadedAdapters.get();
    }

    /**
     * Keeps a loaded, verified version ready to activate, under a lease of its own; replaces (and frees) an older
     * standby of that number.
     */
    public synchronized void addStandby(VersionLease loaded) {
        VersionLease lease = loaded.share();
        VersionLease old = slot(lease.version().policy()).standby.put(lease.version().version(), lease);
        if (old != null) {
            old.close();
        }
    }

    public synchronized boolean hasStandby(String policy, long version) {
        return slot(policy).standby.containsKey(version);
    }

    /**
     * Makes a standby version active; the active one becomes the previous (for rollback) and the former previous is
     * retired. Requests in flight keep their version until they finish.
     */
    public synchronized PolicyVersion activate(String policy, long version) {
        Slot slot = slot(policy);
        VersionLease next = slot.standby.remove(version);
        if (next == null) {
            throw new IllegalStateException("version " + version + " of '" + policy + "' is not loaded");
        }
        if (slot.previous != null) {
            slot.previous.close();
        }
        slot.previous = slot.active;
        slot.active = next;
        publishModelInfo();
        return next.version();
    }

    /** Swaps back to the previous version; the version rolled back from is retired. */
    public synchronized PolicyVersion rollback(String policy) {
        Slot slot = slot(policy);
        if (slot.previous == null) {
            throw new IllegalStateException("'" + policy + "' has no previous version to roll back to");
        }
        VersionLease bad = slot.active;
        slot.active = slot.previous;
        slot.previous = null;
        bad.close();
        publishModelInfo();
        return slot.active.version();
    }

    private void publishModelInfo() {
        modelInfo.register(slots.values().stream().map(s -> MultiGauge.Row.of(
                Tags.of("policy", s.active.version().policy(), "version", String.valueOf(s.active.version().version())),
                1)).toList(), true);
    }

    private Slot slot(String policy) {
        Slot slot = slots.get(policy);
        if (slot == null) {
            throw new UnknownPolicyException(policy);
        }
        return slot;
    }

    /**
     * A policy's versions, each held by a lease of the registry's own. Written under the registry's lock; {@code active}
     * is read without it.
     */
    private static final class Slot {
        volatile VersionLease active;
        VersionLease previous;
        final Map<Long, VersionLease> standby = new LinkedHashMap<>();

        Slot(VersionLease active) {
            this.active = active;
        }
    }
}
