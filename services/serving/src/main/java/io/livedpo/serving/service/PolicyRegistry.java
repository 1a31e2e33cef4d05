package io.livedpo.serving.service;

import io.livedpo.policy.PolicyModel;
import io.livedpo.serving.config.ServingConfig;
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
import org.jboss.logging.Logger;

/**
 * The base model and, per policy, the active version, the previous one (kept for rollback) and standbys (loaded,
 * canaried, not yet active). Swaps are atomic: a request acquires whatever version is active when it starts.
 */
@ApplicationScoped
public class PolicyRegistry {

    private static final Logger LOG = Logger.getLogger(PolicyRegistry.class);

    private final ServingConfig config;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final MultiGauge modelInfo;
    private volatile PolicyModel base;

    public PolicyRegistry(ServingConfig config, MeterRegistry meters) {
        this.config = config;
        this.modelInfo = MultiGauge.builder("livedpo.serving.model.info")
                .description("1 for the version each policy serves").register(meters);
    }

    void start(@Observes StartupEvent event) {
        try {
            base = PolicyModel.open(config.modelDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the base model from " + config.modelDir(), e);
        }
        for (String policy : config.policies()) {
            slots.put(policy, new Slot(new PolicyVersion(policy, 0, null, null)));
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

    /** The active version, with a reference the caller must {@link PolicyVersion#release()}. */
    public PolicyVersion acquireActive(String policy) {
        Slot slot = slot(policy);
        while (true) {
            PolicyVersion v = slot.active;
            if (v.tryAcquire()) {
                return v;
            }
            // Retired between the read and the acquire: the swap has published a newer one; read again.
        }
    }

    public PolicyVersion active(String policy) {
        return slot(policy).active;
    }

    public Optional<PolicyVersion> previous(String policy) {
        return Optional.ofNullable(slot(policy).previous);
    }

    /** Keeps a loaded, verified version ready to activate; replaces (and frees) an older standby of that number. */
    public synchronized void addStandby(PolicyVersion v) {
        PolicyVersion old = slot(v.policy()).standby.put(v.version(), v);
        if (old != null) {
            old.release();
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
        PolicyVersion next = slot.standby.remove(version);
        if (next == null) {
            throw new IllegalStateException("version " + version + " of '" + policy + "' is not loaded");
        }
        if (slot.previous != null) {
            slot.previous.release();
        }
        slot.previous = slot.active;
        slot.active = next;
        publishModelInfo();
        return next;
    }

    /** Swaps back to the previous version; the version rolled back from is retired. */
    public synchronized PolicyVersion rollback(String policy) {
        Slot slot = slot(policy);
        if (slot.previous == null) {
            throw new IllegalStateException("'" + policy + "' has no previous version to roll back to");
        }
        PolicyVersion bad = slot.active;
        slot.active = slot.previous;
        slot.previous = null;
        bad.release();
        publishModelInfo();
        return slot.active;
    }

    private void publishModelInfo() {
        modelInfo.register(slots.values().stream().map(s -> MultiGauge.Row.of(
                Tags.of("policy", s.active.policy(), "version", String.valueOf(s.active.version())), 1)).toList(), true);
    }

    private Slot slot(String policy) {
        Slot slot = slots.get(policy);
        if (slot == null) {
            throw new UnknownPolicyException(policy);
        }
        return slot;
    }

    /** A policy's versions. Written under the registry's lock; {@code active} is read without it. */
    private static final class Slot {
        volatile PolicyVersion active;
        PolicyVersion previous;
        final Map<Long, PolicyVersion> standby = new LinkedHashMap<>();

        Slot(PolicyVersion active) {
            this.active = active;
        }
    }
}
