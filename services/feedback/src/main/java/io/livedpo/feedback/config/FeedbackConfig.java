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

    Canary canary();

    /**
     * The live canary's judge (see {@code CanarySprt}): a non-inferiority SPRT on thumbs-up rates, candidate vs
     * parent, with Wald's bounds.
     */
    interface Canary {
        /** P(promote | candidate worse by the effect): the harmful error, kept small. */
        @WithDefault("0.05")
        double alpha();

        /** P(roll back | candidate as good as its parent): a wasted version, cheaper, so larger. */
        @WithDefault("0.1")
        double beta();

        /**
         * δ, the drop in thumbs-up rate (absolute) that counts as worse. 0.1: ten points is what users notice; at
         * rates near 0.5 and a 10% canary share the test then needs ~150 candidate votes on average.
         */
        @WithDefault("0.1")
        double effect();

        /** Votes each arm needs before the test may decide (the normal approximation is poor below). */
        @WithDefault("20")
        int minVotes();

        /** Candidate votes after which an undecided canary takes {@code on-limit}: ~6x the average need. */
        @WithDefault("1000")
        long maxCandidateVotes();

        /** Time after its first vote after which an undecided canary takes {@code on-limit}. */
        @WithDefault("24h")
        Duration maxDuration();

        /**
         * What an undecided canary gets at either bound. ROLLBACK: undecided after that many votes means it is likely
         * somewhat worse (the midpoint of the hypotheses), and the parent has earned its votes; the trainer goes on
         * from the parent. PROMOTE suits low-traffic deployments that prefer to keep learning.
         */
        @WithDefault("rollback")
        String onLimit();
    }

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
