package io.livedpo.serving.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything serving reads from configuration (prefix {@code livedpo.serving}). */
@ConfigMapping(prefix = "livedpo.serving")
public interface ServingConfig {

    /** The base model directory in Hugging Face layout, shared by every policy. */
    Path modelDir();

    /**
     * How the frozen base's projections and head are multiplied: {@code f32}, or {@code bf16} — a bfloat16 copy
     * multiplied by a Vector API kernel, half the bytes streamed per decoded token (the JVM needs
     * {@code --add-modules jdk.incubator.vector}; CPU only). Adapters and everything else stay float32.
     */
    @WithDefault("f32")
    String basePrecision();

    /** Policies served; each starts on the base model (version 0) until an adapter is pushed or announced. */
    @WithDefault("default")
    List<String> policies();

    Batching batching();

    Limits limits();

    Control control();

    CatchUp catchUp();

    Events events();

    Canary canary();

    /** Where the chat page posts votes (the feedback service's base URL). */
    @WithDefault("http://localhost:8081")
    String feedbackUrl();

    /**
     * The live canary: a version pushed (or announced) as a canary serves a share of its policy's traffic beside the
     * active version until feedback's decision on livedpo.canary-decisions.v1 promotes or rolls it back. Whether a
     * version starts as a canary is the publisher's choice (the trainer's {@code livedpo.trainer.canary.enabled}).
     */
    interface Canary {
        /**
         * The candidate's share of requests that name no version. 0.1 (Flagger's and Argo Rollouts' customary first
         * step): at most a tenth of users see a bad version, and at the default test settings the candidate still
         * earns its ~150 deciding votes in 1,500 votes overall.
         */
        @WithDefault("0.1")
        double share();

        /**
         * While a canary runs, a request for two choices that names no version (the chat page's A/B mode) gets one
         * answer from the parent and one from the candidate, in random order, and the user's pick counts as a win or
         * loss in the canary's test: the most direct comparison there is, at the price of showing the candidate in
         * every such pair.
         */
        @WithDefault("true")
        boolean abPairs();
    }

    /** How response events reach Kafka without ever holding up a chat request. */
    interface Events {
        /** Events waiting for the broker; beyond this they are dropped and counted. */
        @WithDefault("10000")
        int buffer();

        /** Longest the sender thread waits for broker metadata before a retry. */
        @WithDefault("5s")
        Duration maxBlock();

        /** Sends of one event before it is dropped and counted. */
        @WithDefault("5")
        int maxAttempts();
    }

    /** How a replica that started late, or missed a push, catches up with the trainer's announcements. */
    interface CatchUp {
        /** The trainer's CheckpointStore gRPC address (host:port); without it, catching up is off. */
        Optional<String> checkpointStore();

        /** How long the follower waits between polls of livedpo.checkpoints.v1. */
        @WithDefault("1s")
        Duration pollInterval();
    }

    /** Continuous batching: sequences join and leave the running batch at every decoding step. */
    interface Batching {
        /**
         * Most sequences running at once (each holds a KV-cache slot, preallocated for the model's whole context:
         * slots × context × layers × 2 × KV width × 4 bytes).
         */
        @WithDefault("64")
        int maxRunning();

        /**
         * Tokens one decoding step may feed the model: one per running sequence, the rest to prompt chunks, so a long
         * prompt is prefilled over several steps instead of stalling everyone's next token. Must exceed max-running.
         */
        @WithDefault("256")
        int stepTokens();

        /**
         * What runs the decoding steps: {@code java} (a Vector API forward, one packed pass per step with no per-op
         * dispatch: the GPT-2 family, in a JVM with {@code --add-modules jdk.incubator.vector}; otherwise torch, with
         * a warning) or {@code torch} (PyTorch, every family).
         */
        @WithDefault("java")
        String engine();

        /** Requests waiting beyond this are refused with 429 rather than queued into a long wait. */
        @WithDefault("64")
        int maxQueue();
    }

    interface Limits {
        /** Largest max_tokens a request may ask for. */
        @WithDefault("256")
        int maxTokens();

        /** max_tokens when the request names none. */
        @WithDefault("64")
        int defaultMaxTokens();

        /** Request bodies above this are refused with 413. */
        @WithDefault("65536")
        long maxBodyBytes();

        /** Most choices per request (n), enough for an A/B pair and a little more. */
        @WithDefault("4")
        int maxChoices();

        /** A request still waiting after this is failed with 503 rather than left hanging. */
        @WithDefault("60s")
        Duration requestTimeout();
    }

    interface Control {
        /** ModelControl's own port (grpc/ControlServer), apart from the public chat port: trainers only. */
        @WithDefault("8180")
        int port();

        /** The address ModelControl binds to; the HTTP server's by default. */
        @WithDefault("${quarkus.http.host:0.0.0.0}")
        String host();

        /** Bearer token every ModelControl call must carry; without it, every call is refused. */
        Optional<String> token();

        /** HMAC-SHA256 key; when set, pushed checkpoints must carry a matching signature. */
        Optional<String> signingKey();

        /** Where pushed checkpoints are unpacked and kept while loaded. */
        @WithDefault("${java.io.tmpdir}/livedpo-serving")
        Path stagingDir();

        /** Largest checkpoint archive accepted. */
        @WithDefault("268435456")
        long maxCheckpointBytes();

        /** User messages whose answers must get finite log-probs under a new adapter before it may serve. */
        @WithDefault("Hello!,What is 2 + 2?,Tell me about cats.")
        List<String> canaryPrompts();
    }
}
