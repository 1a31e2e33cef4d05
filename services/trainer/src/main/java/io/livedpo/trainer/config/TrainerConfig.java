package io.livedpo.trainer.config;

import io.livedpo.policy.dpo.DpoLossType;
import io.livedpo.policy.optim.LrScheduleKind;
import io.livedpo.policy.train.TrainDefaults;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything the trainer reads from configuration (prefix {@code livedpo.trainer}). */
@ConfigMapping(prefix = "livedpo.trainer")
public interface TrainerConfig {

    /** The base model directory in Hugging Face layout; adapters are trained on top of it. */
    Path modelDir();

    /**
     * Checkpoint store, laid out as {@code <store>/<policy>/v<version>}. Trainer pods that share a consumer group must
     * share it (a ReadWriteMany volume), so the pod that takes over a partition finds the policy's checkpoints.
     */
    Path storeDir();

    /** auto: the GPU when DJL sees one, else the CPU; cpu: the CPU even beside a GPU; gpu: a GPU or a start-up
     * error (see {@code TrainingDevice}); the CUDA image is -Pcuda. */
    @WithDefault("auto")
    Device device();

    @WithDefault("livedpo.pairs.v1")
    String pairsTopic();

    @WithDefault("livedpo-trainer")
    String groupId();

    Batch batch();

    Checkpoint checkpoint();

    Dpo dpo();

    Kl kl();

    Publish publish();

    Store store();

    Canary canary();

    /**
     * The CheckpointStore gRPC server replicas catch up from ({@code grpc/StoreServer}), a plain grpc-java server like
     * serving's ModelControl, so that {@code livedpo.grpc.tls} covers it too. It takes the HTTP port and host by
     * default: the trainer serves nothing else there (health and metrics are on the management port), and Quarkus's
     * own HTTP listener is off ({@code quarkus.http.host-enabled=false}).
     */
    interface Store {
        @WithDefault("${quarkus.http.port:8082}")
        int port();

        @WithDefault("${quarkus.http.host:0.0.0.0}")
        String host();
    }

    /** The live canary, from the publishing side. */
    interface Canary {
        /**
         * Publish each version as a live canary: serving gives it a share of the traffic beside its parent, feedback's
         * sequential test promotes or rolls it back, and only then is the next version published (the newest one
         * waiting is held). Off (the default): every published version serves everyone at once, as before. Off by
         * default because a canary needs its votes: ~150 on the candidate at the default test settings, which a
         * deployment must have the traffic for; turn it on where it has.
         */
        @WithDefault("false")
        boolean enabled();

        /** How long start-up waits to read every earlier decision before choosing the version to continue from. */
        @WithDefault("10s")
        Duration catchUp();
    }

    enum Device { CPU, GPU, AUTO }

    interface Batch {
        /** Pairs per DPO step (B). */
        @WithDefault(TrainDefaults.BATCH_SIZE)
        int size();

        /** A policy's first buffered pair waits at most this long for a full batch (W). */
        @WithDefault("2s")
        Duration maxWait();
    }

    interface Checkpoint {
        /** Checkpoint after this many mini-batches of a policy (K; optimizer steps at one step per batch)... */
        @WithDefault("20")
        int everySteps();

        /** ...or when this much time passed since the last checkpoint with steps pending (T). */
        @WithDefault("60s")
        Duration every();

        /** Checkpoint versions kept per policy; older ones are deleted. */
        @WithDefault("5")
        int keep();

        /** Pair ids remembered per policy for dedupe (the newest ones). */
        @WithDefault("100000")
        int dedupeWindow();
    }

    /** Defaults from {@link TrainDefaults}, the one declaration the {@code livedpo} command line shares. */
    interface Dpo {
        @WithDefault(TrainDefaults.LOSS)
        DpoLossType loss();

        @WithDefault(TrainDefaults.BETA)
        double beta();

        @WithDefault(TrainDefaults.LABEL_SMOOTHING)
        double labelSmoothing();

        /** RPO: weight of the chosen answers' NLL added to the DPO loss; on, since live pairs are on-policy. */
        @WithDefault(TrainDefaults.ON_POLICY_SFT_WEIGHT)
        double sftWeight();

        @WithDefault(TrainDefaults.LEARNING_RATE)
        float learningRate();

        @WithDefault(TrainDefaults.WARMUP_STEPS)
        long warmupSteps();

        /** After the warm-up: {@code constant}, {@code inverse-sqrt} (for a loop that never ends) or {@code cosine}. */
        @WithDefault(TrainDefaults.LR_SCHEDULE)
        LrScheduleKind lrSchedule();

        /** inverse-sqrt: the step its decay starts at; cosine: the decay's length after the warm-up. */
        @WithDefault(TrainDefaults.LR_DECAY_STEPS)
        long lrDecaySteps();

        /** The decayed rate's floor as a fraction of the peak. */
        @WithDefault(TrainDefaults.MIN_LR_RATIO)
        double minLrRatio();

        @WithDefault(TrainDefaults.MAX_GRAD_NORM)
        float maxGradNorm();

        @WithDefault(TrainDefaults.LORA_RANK)
        int loraRank();

        @WithDefault(TrainDefaults.LORA_ALPHA)
        float loraAlpha();

        /**
         * The projections a new policy's adapter adapts, as PEFT's {@code target_modules} (suffixes inside a block,
         * e.g. {@code attn.c_attn} or {@code q_proj}); unset: every projection of the base model's family. A policy
         * that continues from a checkpoint keeps that checkpoint's targets.
         */
        Optional<List<String>> loraTargets();

        /** Optimizer steps on each new mini-batch (each with fresh replay samples). */
        @WithDefault(TrainDefaults.STEPS_PER_BATCH)
        int stepsPerBatch();

        /** Recent trained pairs kept for replay; 0: none. */
        @WithDefault(TrainDefaults.REPLAY_SIZE)
        int replaySize();

        /** Replayed pairs added to each step's batch. */
        @WithDefault(TrainDefaults.REPLAY_PER_STEP)
        int replayPerStep();

        /** TR-DPO: the reference moves toward the policy every this many steps; 0: the base stays the reference. */
        @WithDefault(TrainDefaults.REFRESH_EVERY)
        int refreshEvery();

        /** TR-DPO's α: 1 copies the policy into the reference, less mixes. */
        @WithDefault(TrainDefaults.REFRESH_ALPHA)
        float refreshAlpha();

        /** Pairs whose older answer is more than this many versions behind the policy's are dropped; -1: none. */
        @WithDefault(TrainDefaults.MAX_STALENESS)
        long maxStaleness();
    }

    interface Kl {
        /** Largest KL(policy‖reference) estimate (nats per sequence) a checkpoint may have to be published. */
        @WithDefault("10")
        double budget();

        /** User messages whose sampled answers under the policy the estimate is taken over. */
        @WithDefault("Hello!,What is 2 + 2?,Tell me about cats.,How do I boil an egg?")
        List<String> probePrompts();

        /** Answer length, as serving's users get them (the demo's simulated users ask for 48). */
        @WithDefault("48")
        int maxTokens();

        /** Answers sampled per probe prompt (temperature 1, as serving samples by default; seeded). */
        @WithDefault("8")
        int samples();

        /** false: a policy over budget stops training (its partitions are paused) until an operator intervenes. */
        @WithDefault("true")
        boolean continueOnBreach();
    }

    interface Publish {
        /** Serving replicas' ModelControl addresses, {@code host:port}. */
        Optional<List<String>> targets();

        /** A DNS name whose every address is a replica (a Kubernetes headless service), with {@link #dnsPort()}. */
        Optional<String> dnsName();

        /** Serving's ModelControl port ({@code livedpo.serving.control.port}), not its public one. */
        @WithDefault("8180")
        int dnsPort();

        /** Sent as {@code authorization: Bearer <token>} on every ModelControl call. */
        Optional<String> token();

        /** HMAC-SHA256 key the archives are signed with; must equal serving's {@code control.signing-key}. */
        Optional<String> signingKey();

        @WithDefault("5")
        int maxAttempts();

        @WithDefault("200ms")
        Duration initialBackoff();

        /** Per-attempt deadline of one push. */
        @WithDefault("60s")
        Duration timeout();

        /** How announcements tell replicas where to fetch: {@code <prefix>/<policy>/<version>}. */
        @WithDefault("grpc://localhost:8082")
        String locationPrefix();
    }
}
