package io.livedpo.serving.service;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.generate.DecodeEngine;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.BasePrecision;
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
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import io.livedpo.events.CanaryArm;
import org.jboss.logging.Logger;

/**
 * The base model and, per policy, the active version, the previous one (kept for rollback), standbys (loaded,
 * canaried, not yet active) and at most one live-canary candidate, which gets a random share of the traffic while the
 * active version (its parent) serves the rest. Swaps are atomic: a request leases whatever version it is routed to
 * when it starts.
 */
@ApplicationScoped
public class PolicyRegistry {

    private static final Logger LOG = Logger.getLogger(PolicyRegistry.class);

    private final ServingConfig config;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final MultiGauge modelInfo;
    private final AtomicInteger loadedAdapters = new AtomicInteger();
    private volatile PolicyModel base;
    private volatile DecodeEngine engine;

    public PolicyRegistry(ServingConfig config, MeterRegistry meters) {
        this.config = config;
        this.modelInfo = MultiGauge.builder("livedpo.serving.model.info")
                .description("1 for the version each policy serves").register(meters);
        Gauge.builder("livedpo.serving.model.adapters.loaded", loadedAdapters, AtomicInteger::get)
                .description("adapter versions holding native memory, in use or kept for rollback").register(meters);
    }

    void start(@Observes StartupEvent event) {
        try {
            base = PolicyModel.open(config.modelDir(), null, BasePrecision.parse(config.basePrecision()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the base model from " + config.modelDir(), e);
        }
        DecodeEngine configured = DecodeEngine.parse(config.batching().engine());
        engine = configured.forModel(base.model());
        if (engine != configured) {
            LOG.warnf("decoding with %s instead of %s: %s", engine, configured, configured.whyNot(base.model()));
        }
        if (engine == DecodeEngine.JAVA) {
            base.packed(); // its weight copy and kernel warm-up before readiness, not on the first request
        }
        for (String policy : config.policies()) {
            slots.put(policy, new Slot(PolicyVersion.base(base, policy)));
        }
        publishModelInfo();
        LOG.infof("serving %s on base model %s (%s, base precision %s, %s decode engine)", config.policies(),
                config.modelDir(), base.fingerprint(), base.model().precision(), engine);
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

    /**
     * Leases for a request that names no version: while a live canary runs, the candidate with probability
     * {@code candidateShare} and the active version (its parent) otherwise, with the experiment named — or, for an
     * {@code abPair}, the parent and the candidate for its two choices in random order; else the active version.
     */
    public Routed route(String policy, double candidateShare, boolean abPair) {
        Slot slot = slot(policy);
        while (true) {
            VersionLease active = slot.active;
            VersionLease candidate = slot.candidate;
            if (candidate == null) {
                return new Routed(acquire(policy), null);
            }
            CanaryArm arm = new CanaryArm(candidate.version().version(), active.version().version());
            List<PolicyVersion> chosen = abPair
                    ? (ThreadLocalRandom.current().nextBoolean() ? List.of(candidate.version(), active.version())
                    : List.of(active.version(), candidate.version()))
                    : List.of(ThreadLocalRandom.current().nextDouble() < candidateShare
                    ? candidate.version() : active.version());
            List<VersionLease> leases = new java.util.ArrayList<>();
            for (PolicyVersion v : chosen) {
                v.tryLease().ifPresent(leases::add);
            }
            if (leases.size() == chosen.size() && slot.candidate == candidate && slot.active == active) {
                return new Routed(leases, arm);
            }
            // A decision or swap came between the reads and the leases: route again on what is current.
            leases.forEach(VersionLease::close);
        }
    }

    /**
     * A lease on exactly {@code policy@version}, wherever it is loaded (active, candidate, previous, standby).
     *
     * @throws VersionNotLoadedException naming the versions that are loaded
     */
    public VersionLease acquire(String policy, long version) {
        Slot slot = slot(policy);
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<VersionLease> lease = find(slot, version).flatMap(v -> v.version().tryLease());
            if (lease.isPresent()) {
                return lease.get();
            }
        }
        throw new VersionNotLoadedException(policy, version, loaded(policy));
    }

    private synchronized Optional<VersionLease> find(Slot slot, long version) {
        List<VersionLease> held = new java.util.ArrayList<>(List.of(slot.active));
        if (slot.candidate != null) {
            held.add(slot.candidate);
        }
        if (slot.previous != null) {
            held.add(slot.previous);
        }
        held.addAll(slot.standby.values());
        return held.stream().filter(l -> l.version().version() == version).findFirst();
    }

    /** Every {@code policy@version} a request may pin, in version order. */
    public synchronized List<String> loaded(String policy) {
        Slot slot = slot(policy);
        TreeSet<Long> versions = new TreeSet<>(slot.standby.keySet());
        versions.add(slot.active.version().version());
        if (slot.candidate != null) {
            versions.add(slot.candidate.version().version());
        }
        if (slot.previous != null) {
            versions.add(slot.previous.version().version());
        }
        return versions.stream().map(v -> policy + "@" + v).toList();
    }

    /** The live-canary candidate, if one is on trial. */
    public Optional<PolicyVersion> candidate(String policy) {
        return Optional.ofNullable(slot(policy).candidate).map(VersionLease::version);
    }

    /**
     * Moves a standby version into the live canary beside the active one; a candidate already on trial is superseded
     * (freed once its requests finish).
     */
    public synchronized PolicyVersion startCanary(String policy, long version) {
        Slot slot = slot(policy);
        VersionLease next = slot.standby.remove(version);
        if (next == null) {
            throw new IllegalStateException("version " + version + " of '" + policy + "' is not loaded");
        }
        VersionLease superseded = slot.candidate;
        slot.candidate = next;
        if (superseded != null) {
            superseded.close();
        }
        return next.version();
    }

    /** The candidate serves everyone: it becomes active, its parent the previous. False if it is not on trial. */
    public synchronized boolean promote(String policy, long candidate) {
        Slot slot = slot(policy);
        if (slot.candidate == null || slot.candidate.version().version() != candidate) {
            return false;
        }
        if (slot.previous != null) {
            slot.previous.close();
        }
        slot.previous = slot.active;
        slot.active = slot.candidate;
        slot.candidate = null;
        publishModelInfo();
        return true;
    }

    /** The candidate is unloaded (once its requests finish); its parent serves everyone. False if it is not on trial. */
    public synchronized boolean dropCandidate(String policy, long candidate) {
        Slot slot = slot(policy);
        if (slot.candidate == null || slot.candidate.version().version() != candidate) {
            return false;
        }
        VersionLease dropped = slot.candidate;
        slot.candidate = null;
        dropped.close();
        return true;
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
        endCanary(slot);
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
        endCanary(slot);
        publishModelInfo();
        return slot.active.version();
    }

    /** An operator's activate or rollback ends any live canary: its parent is no longer what it was compared with. */
    private static void endCanary(Slot slot) {
        if (slot.candidate != null) {
            slot.candidate.close();
            slot.candidate = null;
        }
    }

    private void publishModelInfo() {
        modelInfo.register(slots.values().stream().map(s -> MultiGauge.Row.of(
                Tags.of("policy", s.active.version().policy(), "version", String.valueOf(s.active.version().version()),
                        "base_precision", base.model().precision().toString(), "engine", engine.toString()),
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
        volatile VersionLease candidate;
        VersionLease previous;
        final Map<Long, VersionLease> standby = new LinkedHashMap<>();

        Slot(VersionLease active) {
            this.active = active;
        }
    }
}
