package io.livedpo.load;

import java.time.Duration;

/**
 * Where the stack under test listens and how hard to drive it, from system properties ({@code -Dload.rate=8} on the
 * Maven command line reaches the Gatling JVM). The defaults are {@code bin/livedpo up}'s ports.
 */
public record LoadSettings(String servingUrl, String feedbackUrl, String servingMetricsUrl, String kafka,
                           double rate, int clients, Duration duration, Duration rampUp, int users,
                           double streamShare, double abShare, int maxTokens, long seed) {

    public static LoadSettings fromSystemProperties() {
        return new LoadSettings(
                text("load.serving-url", "http://127.0.0.1:8080"),
                text("load.feedback-url", "http://127.0.0.1:8081"),
                text("load.serving-metrics-url", "http://127.0.0.1:9080/q/metrics"),
                text("load.kafka", "127.0.0.1:9092"),
                Double.parseDouble(text("load.rate", "4")),
                Integer.parseInt(text("load.clients", "64")),
                Duration.ofSeconds(Long.parseLong(text("load.duration", "60"))),
                Duration.ofSeconds(Long.parseLong(text("load.ramp-up", "5"))),
                Integer.parseInt(text("load.users", "50")),
                Double.parseDouble(text("load.stream-share", "0.5")),
                Double.parseDouble(text("load.ab-share", "0.3")),
                Integer.parseInt(text("load.max-tokens", "32")),
                Long.parseLong(text("load.seed", "42")));
    }

    private static String text(String key, String fallback) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
