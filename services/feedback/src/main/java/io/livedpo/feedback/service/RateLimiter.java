package io.livedpo.feedback.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.livedpo.feedback.config.FeedbackConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * A token bucket per client (user id, or remote address for anonymous users), in memory and per replica.
 * Idle buckets are full again after burst/rate seconds, so evicting them after that loses nothing.
 */
@ApplicationScoped
public class RateLimiter {

    private final double ratePerNano;
    private final double burst;
    private final Cache<String, Bucket> buckets;

    public RateLimiter(FeedbackConfig config) {
        this.ratePerNano = config.http().ratePerSecond() / 1e9;
        this.burst = config.http().rateBurst();
        long refillSeconds = (long) Math.ceil(burst / config.http().ratePerSecond()) + 1;
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(Duration.ofSeconds(refillSeconds))
                .maximumSize(1_000_000)
                .build();
    }

    /** Takes a token for {@code client}; returns zero when allowed, else how long until a token is available. */
    public Duration acquire(String client) {
        return buckets.get(client, key -> new Bucket(burst, System.nanoTime())).take(System.nanoTime());
    }

    private final class Bucket {
        private double tokens;
        private long updatedNanos;

        Bucket(double tokens, long nowNanos) {
            this.tokens = tokens;
            this.updatedNanos = nowNanos;
        }

        synchronized Duration take(long nowNanos) {
            tokens = Math.min(burst, tokens + (nowNanos - updatedNanos) * ratePerNano);
            updatedNanos = nowNanos;
            if (tokens >= 1) {
                tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - tokens) / ratePerNano));
        }
    }
}
