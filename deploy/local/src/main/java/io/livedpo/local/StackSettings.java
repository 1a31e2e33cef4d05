package io.livedpo.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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
 * @param servingReplicas serving processes: replica {@code i} listens on {@link #servingHost(int)} at the one serving
 *                        port (loopback addresses 127.0.0.1, 127.0.0.2, …, as Linux routes all of 127/8 to lo), and
 *                        the trainer pushes to every one
 * @param partitionable   the last serving replica's two links with the trainer (the trainer's pushes to its
 *                        ModelControl port, its catch-up fetches from the trainer's CheckpointStore) go through a
 *                        {@link PartitionProxy} each, so {@link LocalStack#partition} can cut them off
 */
public record StackSettings(Path home, Path dataDir, Path modelDir, Ports ports, Set<Service> services,
                            Map<Service, Map<String, String>> overrides, Duration readyTimeout,
                            int servingReplicas, boolean partitionable) {

    public StackSettings {
        home = home.toAbsolutePath().normalize();
        dataDir = dataDir.toAbsolutePath().normalize();
        modelDir = modelDir.toAbsolutePath().normalize();
        services = services.isEmpty() ? EnumSet.noneOf(Service.class) : EnumSet.copyOf(services);
        overrides = Map.copyOf(overrides);
        if (servingReplicas < 1 || servingReplicas > 8) {
            throw new IllegalArgumentException("serving replicas must be 1..8, got " + servingReplicas);
        }
        if (partitionable && servingReplicas < 2) {
            throw new IllegalArgumentException("a partitionable replica needs another one to keep serving");
        }
    }

    public static StackSettings of(Path home, Path dataDir, Path modelDir, Ports ports) {
        return new StackSettings(home, dataDir, modelDir, ports, EnumSet.allOf(Service.class), Map.of(),
                Duration.ofMinutes(3), 1, false);
    }

    public StackSettings withServices(Set<Service> chosen) {
        return new StackSettings(home, dataDir, modelDir, ports, chosen, overrides, readyTimeout, servingReplicas,
                partitionable);
    }

    public StackSettings withOverrides(Map<Service, Map<String, String>> extra) {
        return new StackSettings(home, dataDir, modelDir, ports, services, extra, readyTimeout, servingReplicas,
                partitionable);
    }

    public StackSettings withServingReplicas(int replicas) {
        return new StackSettings(home, dataDir, modelDir, ports, services, overrides, readyTimeout, replicas,
                partitionable);
    }

    /** With the last replica's links to the trainer behind partition proxies (see {@code partitionable}). */
    public StackSettings withPartitionableReplica() {
        return new StackSettings(home, dataDir, modelDir, ports, services, overrides, readyTimeout, servingReplicas,
                true);
    }

    /** The replica whose trainer links can be partitioned (0-based), or -1. */
    public int partitionableReplica() {
        return partitionable ? servingReplicas - 1 : -1;
    }

    /** The loopback address serving replica {@code replica} (0-based) listens on. */
    public String servingHost(int replica) {
        return "127.0.0." + (1 + replica);
    }

    /** Every serving replica's base URL, replica 0 first (the same as {@link #servingUrl()}). */
    public List<String> servingUrls() {
        List<String> urls = new ArrayList<>(List.of(servingUrl()));
        for (int i = 1; i < servingReplicas; i++) {
            urls.add("http://" + servingHost(i) + ":" + ports.serving());
        }
        return urls;
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
