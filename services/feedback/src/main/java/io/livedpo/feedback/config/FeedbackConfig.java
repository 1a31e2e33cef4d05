package io.livedpo.feedback.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Everything under {@code livedpo.feedback.*}; defaults are the documented ones (README). */
@ConfigMapping(prefix = "livedpo.feedback")
public interface FeedbackConfig {

    /** Origins of the chat page allowed by CORS; applied through {@code quarkus.http.cors.origins}. */
    String corsOrigins();

    Kafka kafka();

    Http http();

    Pairing pairing();

    interface Kafka {
        /** How long a request may wait for the broker's acknowledgement before it is answered 503. */
        @WithDefault("5s")
        Duration sendTimeout();

        /** Create the contract topics this service reads and writes when they are missing. */
        @WithDefault("true")
        boolean createTopics();

        /** Partitions of created topics; responses and feedback must have the same count (co-partitioned join). */
        @WithDefault("3")
        int partitions();

        @WithDefault("1")
        short replicationFactor();
    }

    interface Http {
        @WithDefault("16384")
        int maxBodyBytes();

        /** Sustained requests per second per user (anonymous users: per remote address). */
        @WithDefault("5")
        double ratePerSecond();

        @WithDefault("20")
        int rateBurst();

        @WithDefault("10m")
        Duration idempotencyTtl();

        @WithDefault("100000")
        long idempotencyMaxEntries();
    }

    interface Pairing {
        @WithDefault("7d")
        Duration responseRetention();

        @WithDefault("5m")
        Duration feedbackGrace();

        @WithDefault("1h")
        Duration window();

        @WithDefault("16")
        int maxPairsPerPrompt();

        @WithDefault("100")
        int maxPairsPerUser();

        @WithDefault("1h")
        Duration userCapWindow();

        @WithDefault("10s")
        Duration punctuateInterval();
    }
}
