package io.livedpo.serving.service;

import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointArchive;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.serving.config.ServingConfig;
import io.livedpo.serving.engine.PolicyVersion;
import io.livedpo.serving.engine.VersionLease;
import io.livedpo.transfer.ArchiveAssembly;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.ArchiveSignature;
import io.livedpo.transfer.CheckpointRejectedException;
import io.livedpo.transfer.ReceivedArchive;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Turns a received checkpoint archive into a serving version: verify size, hash, signature and base model, unpack,
 * load the adapter into a standby slot, canary it, then (if asked) swap it in. Any failure leaves the active version
 * as it was.
 */
@ApplicationScoped
public class CheckpointInstaller {

    private static final Logger LOG = Logger.getLogger(CheckpointInstaller.class);

    private final ServingConfig.Control config;
    private final ArchiveSignature signature;
    private final PolicyRegistry registry;
    private final MeterRegistry meters;
    private final LiveCanary liveCanary;
    private final Timer swapDuration;

    public CheckpointInstaller(ServingConfig config, PolicyRegistry registry, MeterRegistry meters,
                               LiveCanary liveCanary) {
        this.config = config.control();
        this.signature = new ArchiveSignature(this.config.signingKey());
        this.registry = registry;
        this.meters = meters;
        this.liveCanary = liveCanary;
        // Buckets, so a swap storm's p50/p99 can be read (load-tests SwapStormSimulation, histogram_quantile).
        this.swapDuration = Timer.builder("livedpo.serving.model.swap.duration")
                .description("from the last byte of a push to the new version serving").publishPercentileHistogram()
                .register(meters);
    }

    /** Receives one archive into the staging directory, bounded by the largest checkpoint accepted. */
    public ArchiveAssembly assembly() {
        return new ArchiveAssembly(config.stagingDir().resolve("incoming"), config.maxCheckpointBytes());
    }

    /**
     * Verifies and installs a received archive; returns the version now active for the policy.
     *
     * @throws CheckpointRejectedException with the reason, when anything does not check out
     */
    public PolicyVersion install(ReceivedArchive archive) {
        return install(archive, archive.header().canary());
    }

    /**
     * As {@link #install(ReceivedArchive)}, with {@code liveCanary} saying whether an activated version starts as a
     * live canary (a catch-up fetch learns that from the announcement, not the store's header).
     */
    public synchronized PolicyVersion install(ReceivedArchive archive, boolean liveCanary) {
        ArchiveHeader header = archive.header();
        // One install at a time: a push and a catch-up fetch of the same version must not both swap it in.
        if (registry.policies().contains(header.policy())
                && (registry.active(header.policy()).version() == header.version()
                || registry.candidate(header.policy()).map(v -> v.version() == header.version()).orElse(false))) {
            return registry.active(header.policy());
        }
        long start = System.nanoTime();
        try {
            PolicyVersion result = verifyAndInstall(archive, liveCanary);
            count("ok");
            swapDuration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return result;
        } catch (CheckpointRejectedException e) {
            count(e.reason());
            LOG.warnf("rejected checkpoint %s@%d: %s", header.policy(), header.version(), e.getMessage());
            throw e;
        }
    }

    private PolicyVersion verifyAndInstall(ReceivedArchive archive, boolean liveCanary) {
        ArchiveHeader header = archive.header();
        if (!registry.policies().contains(header.policy())) {
            throw new CheckpointRejectedException("policy", "unknown policy '" + header.policy() + "'");
        }
        if (header.version() < 1) {
            throw new CheckpointRejectedException("version", "version must be >= 1, got " + header.version());
        }
        if (this.liveCanary.rolledBack(header.policy(), header.version())) {
            throw new CheckpointRejectedException("rolled_back", header.label()
                    + " was rolled back by its live canary and is not served again");
        }
        try {
            archive.verify(signature);
        } catch (IOException e) {
            throw new CheckpointRejectedException("io", "cannot read the received archive: " + e.getMessage());
        }
        if (!registry.base().fingerprint().equals(header.baseModel())) {
            throw new CheckpointRejectedException("base_model", "checkpoint is for base model " + header.baseModel()
                    + " but this replica serves " + registry.base().fingerprint());
        }
        Path dir = config.stagingDir().resolve(header.policy() + "-v" + header.version() + "-" + header.sha256());
        // The installer's lease ends here whatever happens: on a failed canary it is the last one and frees the adapter.
        try (VersionLease loaded = load(header, archive.file(), dir)) {
            canary(loaded.version());
            registry.addStandby(loaded);
        }
        if (!header.activate()) {
            return registry.active(header.policy());
        }
        if (liveCanary) {
            return this.liveCanary.start(header.policy(), header.version());
        }
        return activate(header.policy(), header.version());
    }

    public PolicyVersion activate(String policy, long version) {
        PolicyVersion now = registry.activate(policy, version);
        LOG.infof("%s is now serving", now.label());
        return now;
    }

    private VersionLease load(ArchiveHeader header, Path archive, Path dir) {
        try {
            if (!Files.exists(dir)) {
                try (InputStream in = Files.newInputStream(archive)) {
                    CheckpointArchive.unpack(in, dir, config.maxCheckpointBytes());
                }
            }
            CheckpointMetadata meta = AdapterCheckpoint.readMetadata(dir);
            if (!header.describes(meta)) {
                throw new CheckpointRejectedException("metadata", "archive holds " + meta.policy() + "@"
                        + meta.version() + " (parent " + meta.parentVersion() + ", base " + meta.baseModel()
                        + "), the header announced " + header.label());
            }
            return registry.open(registry.base().loadAdapter(dir), meta);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointRejectedException r) {
                throw r;
            }
            throw new CheckpointRejectedException("load", "cannot load the checkpoint: " + e.getMessage());
        }
    }

    /**
     * The new adapter must score the probe prompts, with finite log-probs, before it may serve anyone; any failure is
     * a rejection.
     */
    private void canary(PolicyVersion v) {
        ChatFormat chat = registry.base().tokenizer().chat();
        List<PromptCompletion> probes = config.canaryPrompts().stream().map(p -> List.of(new ChatMessage("user", p)))
                .map(m -> new PromptCompletion(registry.base().tokenizer().encode(chat.prompt(m)),
                        registry.base().tokenizer().encode(chat.completion(m, "Sure, happy to help."))))
                .toList();
        List<ScoredCompletion> scored;
        try (NoGrad off = NoGrad.enter()) {
            scored = new Scorer(registry.base().model()).score(probes, v.adapter(), probes.size());
        } catch (RuntimeException e) {
            throw new CheckpointRejectedException("canary", v.label() + " cannot score the probes: " + e.getMessage());
        }
        for (ScoredCompletion s : scored) {
            if (!Double.isFinite(s.logprob())) {
                throw new CheckpointRejectedException("canary", v.label() + " gives non-finite log-probs");
            }
        }
    }

    private void count(String outcome) {
        meters.counter("livedpo.serving.model.swaps", "outcome", outcome).increment();
    }
}
