package io.livedpo.serving.service;

import io.livedpo.policy.checkpoint.AdapterCheckpoint;
import io.livedpo.policy.checkpoint.CheckpointArchive;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.io.Sha256;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.nd.NoGrad;
import io.livedpo.policy.score.PromptCompletion;
import io.livedpo.policy.score.ScoredCompletion;
import io.livedpo.policy.score.Scorer;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.policy.tokenizer.ChatFormat;
import io.livedpo.serving.config.ServingConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
    private final PolicyRegistry registry;
    private final MeterRegistry meters;
    private final Timer swapDuration;

    public CheckpointInstaller(ServingConfig config, PolicyRegistry registry, MeterRegistry meters) {
        this.config = config.control();
        this.registry = registry;
        this.meters = meters;
        this.swapDuration = Timer.builder("livedpo.serving.model.swap.duration")
                .description("from the last byte of a push to the new version serving").register(meters);
    }

    public long maxArchiveBytes() {
        return config.maxCheckpointBytes();
    }

    /**
     * Verifies and installs the archive at {@code archive}; returns the version now active for the policy.
     *
     * @throws CheckpointRejectedException with the reason, when anything does not check out
     */
    public synchronized PolicyVersion install(IncomingCheckpoint header, Path archive) {
        // One install at a time: a push and a catch-up fetch of the same version must not both swap it in.
        if (registry.policies().contains(header.policy())
                && registry.active(header.policy()).version() == header.version()) {
            return registry.active(header.policy());
        }
        long start = System.nanoTime();
        try {
            PolicyVersion result = verifyAndInstall(header, archive);
            count("ok");
            swapDuration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return result;
        } catch (CheckpointRejectedException e) {
            count(e.outcome());
            LOG.warnf("rejected checkpoint %s@%d: %s", header.policy(), header.version(), e.getMessage());
            throw e;
        }
    }

    private PolicyVersion verifyAndInstall(IncomingCheckpoint header, Path archive) {
        if (!registry.policies().contains(header.policy())) {
            throw new CheckpointRejectedException("policy", "unknown policy '" + header.policy() + "'");
        }
        if (header.version() < 1) {
            throw new CheckpointRejectedException("version", "version must be >= 1, got " + header.version());
        }
        verifyBytes(header, archive);
        if (!registry.base().fingerprint().equals(header.baseModel())) {
            throw new CheckpointRejectedException("base_model", "checkpoint is for base model " + header.baseModel()
                    + " but this replica serves " + registry.base().fingerprint());
        }
        Path dir = config.stagingDir().resolve(header.policy() + "-v" + header.version() + "-" + header.sha256());
        PolicyVersion loaded = load(header, archive, dir);
        canary(loaded);
        registry.addStandby(loaded);
        if (!header.activate()) {
            return registry.active(header.policy());
        }
        return activate(header.policy(), header.version());
    }

    public PolicyVersion activate(String policy, long version) {
        PolicyVersion now = registry.activate(policy, version);
        LOG.infof("%s is now serving", now.label());
        return now;
    }

    private void verifyBytes(IncomingCheckpoint header, Path archive) {
        try {
            long size = Files.size(archive);
            if (size != header.sizeBytes()) {
                throw new CheckpointRejectedException("size",
                        "received " + size + " bytes, the header announced " + header.sizeBytes());
            }
            String sha = Sha256.hex(archive);
            if (!sha.equals(header.sha256())) {
                throw new CheckpointRejectedException("sha256",
                        "archive sha256 is " + sha + ", the header announced " + header.sha256());
            }
            Optional<String> key = config.signingKey();
            if (key.isPresent()) {
                byte[] expected = hmac(key.get(), archive);
                if (header.signature().length == 0 || !MessageDigest.isEqual(expected, header.signature())) {
                    throw new CheckpointRejectedException("signature", "missing or wrong HMAC-SHA256 signature");
                }
            }
        } catch (IOException e) {
            throw new CheckpointRejectedException("io", "cannot read the received archive: " + e.getMessage());
        }
    }

    private PolicyVersion load(IncomingCheckpoint header, Path archive, Path dir) {
        try {
            if (!Files.exists(dir)) {
                try (InputStream in = Files.newInputStream(archive)) {
                    CheckpointArchive.unpack(in, dir, config.maxCheckpointBytes());
                }
            }
            CheckpointMetadata meta = AdapterCheckpoint.readMetadata(dir);
            if (!meta.policy().equals(header.policy()) || meta.version() != header.version()) {
                throw new CheckpointRejectedException("metadata", "archive holds " + meta.policy() + "@"
                        + meta.version() + ", the header announced " + header.policy() + "@" + header.version());
            }
            LoraAdapter adapter = registry.base().loadAdapter(dir);
            return new PolicyVersion(header.policy(), header.version(), adapter, meta);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointRejectedException r) {
                throw r;
            }
            throw new CheckpointRejectedException("load", "cannot load the checkpoint: " + e.getMessage());
        }
    }

    /** The new adapter must give finite log-probs on the probe prompts before it may serve anyone. */
    private void canary(PolicyVersion v) {
        ChatFormat chat = registry.base().tokenizer().chat();
        List<PromptCompletion> probes = config.canaryPrompts().stream().map(p -> List.of(new ChatMessage("user", p)))
                .map(m -> new PromptCompletion(registry.base().tokenizer().encode(chat.prompt(m)),
                        registry.base().tokenizer().encode(chat.completion(m, "Sure, happy to help."))))
                .toList();
        List<ScoredCompletion> scored;
        try (NoGrad off = NoGrad.enter()) {
            scored = new Scorer(registry.base().model()).score(probes, v.adapter(), probes.size());
        }
        for (ScoredCompletion s : scored) {
            if (!Double.isFinite(s.logprob())) {
                v.release();
                throw new CheckpointRejectedException("canary", v.label() + " gives non-finite log-probs");
            }
        }
    }

    public static byte[] hmac(String key, Path file) throws IOException {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    mac.update(buf, 0, n);
                }
            }
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private void count(String outcome) {
        meters.counter("livedpo.serving.model.swaps", "outcome", outcome).increment();
    }
}
