package io.livedpo.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * What to start and where.
 *
 * @param home      the repository root (service jars, Kafka jars, {@code mvnw})
 * @param dataDir   everything the run writes: Kafka's log, checkpoints, stream state, logs, the learning curve
 * @param modelDir  the base model (Hugging Face layout) serving and trainer load
 * @param services  which services to start (all three for the loop; tests may start fewer)
 * @param overrides extra {@code -D} settings per service, applied last (a test's faster trainer schedule, say)
 * @param readyTimeout how long each service may take to become ready
 */
public record StackSettings(Path home, Path dataDir, Path modelDir, Ports ports, Set<Service> services,
                            Map<Service, Map<String, String>> overrides, Duration readyTimeout) {

    public StackSettings {
        home = home.toAbsolutePath().normalize();
        dataDir = dataDir.toAbsolutePath().normalize();
        modelDir = modelDir.toAbsolutePath().normalize();
        services = services.isEmpty() ? EnumSet.noneOf(Service.class) : EnumSet.copyOf(services);
        overrides = Map.copyOf(overrides);
    }

    public static StackSettings of(Path home, Path dataDir, Path modelDir, Ports ports) {
        return new StackSettings(home, dataDir, modelDir, ports, EnumSet.allOf(Service.class), Map.of(),
                Duration.ofMinutes(3));
    }

    public StackSettings withServices(Set<Service> chosen) {
        return new StackSettings(home, dataDir, modelDir, ports, chosen, overrides, readyTimeout);
    }

    public StackSettings withOverrides(Map<Service, Map<String, String>> extra) {
        return new StackSettings(home, dataDir, modelDir, ports, services, extra, readyTimeout);
    }

    public Path kafkaLib() {
        return home.resolve("deploy/local/target/kafka-lib");
    }

    public String servingUrl() {
        return "http://localhost:" + ports.serving();
    }

    public String feedbackUrl() {
        return "http://localhost:" + ports.feedback();
    }

    public String trainerUrl() {
        return "http://localhost:" + ports.trainer();
    }

    /** A service's management interface: {@code /q/health}, {@code /q/metrics}. */
    public String managementUrl(Service s) {
        return "http://localhost:" + ports.management(s);
    }
}
