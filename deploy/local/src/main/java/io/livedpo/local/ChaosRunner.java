package io.livedpo.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Injects faults into a running {@link LocalStack} one after another while simulated users keep chatting and voting:
 * each fault takes a component down, restarts it, waits until it is ready, then holds the load for {@code settle} so
 * the phase also measures the recovery. What happened is returned as {@link FaultPhase}s for the reconciliation.
 */
public final class ChaosRunner {

    /**
     * @param brokerDown how long the broker stays stopped (the fault's length; the services run without it)
     * @param partition  how long the trainer stays partitioned from a replica, at least (the partition lasts until
     *                   the other replica has received two versions more, and then this long)
     * @param settle     load held after each recovery, before the next fault
     * @param deadline   longest wait for a trigger or a recovery
     */
    public record Settings(List<Fault> faults, Duration brokerDown, Duration partition, Duration settle,
                           Duration deadline) {
        public Settings {
            faults = List.copyOf(faults);
        }
    }

    /** The trainer's applied-steps counter (Micrometer {@code livedpo.trainer.steps}, as Prometheus names it). */
    private static final Pattern STEPS = Pattern.compile("^livedpo_trainer_steps_total\\{[^}]*}\\s+(\\S+)",
            Pattern.MULTILINE);

    private final LocalStack stack;
    private final Settings settings;
    private final Consumer<String> log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public ChaosRunner(LocalStack stack, Settings settings, Consumer<String> log) {
        this.stack = stack;
        this.settings = settings;
        this.log = log;
    }

    public List<FaultPhase> run() throws IOException, InterruptedException {
        List<FaultPhase> phases = new ArrayList<>();
        for (Fault f : settings.faults()) {
            log.accept("fault " + f.label() + ": injecting");
            FaultPhase phase = inject(f);
            log.accept("fault " + f.label() + ": recovered after " + phase.down().toMillis() + " ms down");
            phases.add(phase);
        }
        return phases;
    }

    private FaultPhase inject(Fault fault) throws IOException, InterruptedException {
        StackSettings s = stack.settings();
        Instant start = Instant.now();
        Instant downFrom;
        String replica = null;
        switch (fault) {
            case SERVING_KILL -> {
                int last = s.servingReplicas() - 1;
                replica = s.servingUrls().get(last);
                downFrom = Instant.now();
                stack.kill(Service.SERVING, last);
                stack.restart(Service.SERVING, last);
            }
            case FEEDBACK_KILL -> {
                downFrom = Instant.now();
                stack.kill(Service.FEEDBACK, 0);
                stack.restart(Service.FEEDBACK, 0);
            }
            case TRAINER_KILL -> {
                Poll.until("the trainer answers", settings.deadline(), () -> !Double.isNaN(trainerSteps()),
                        () -> null);
                double before = trainerSteps();
                Poll.until("the trainer applies a step", settings.deadline(), () -> trainerSteps() > before,
                        () -> null);
                downFrom = Instant.now();
                stack.kill(Service.TRAINER, 0);
                stack.restart(Service.TRAINER, 0);
            }
            case BROKER_RESTART -> {
                downFrom = Instant.now();
                stack.stopBroker();
                hold(settings.brokerDown());
                stack.startBroker();
                // Back when the services that need the broker are ready on it again (feedback checks the broker).
                Poll.until("feedback ready after the broker restart", settings.deadline(),
                        () -> ready(s.managementUrl(Service.FEEDBACK)), () -> null);
            }
            case TRAINER_PARTITION -> {
                int cut = s.partitionableReplica();
                if (cut < 0) {
                    throw new IllegalStateException("trainer-partition needs a stack with a partitionable replica");
                }
                String other = s.servingUrls().get(0);
                String cutOff = s.servingUrls().get(cut);
                long otherAtCut = served(other);
                downFrom = Instant.now();
                stack.partition();
                // The trainer goes on publishing to the replica it still reaches: wait until that one serves two
                // versions more than when the partition began (the second is published while the push of the first
                // to the cut-off replica hangs, so publishing does not wait for it) and is ahead of the cut-off one.
                Poll.until("the trainer publishes two versions to " + other + " while " + cutOff + " is partitioned",
                        settings.deadline(), () -> {
                            long v = served(other);
                            return v >= otherAtCut + 2 && v > served(cutOff);
                        }, () -> null);
                hold(settings.partition());
                // Still ahead at the end: the cut-off replica got nothing from the trainer meanwhile. (It may finish
                // installing a push that was wholly delivered before the cut, hence a wait, not a single look.)
                Poll.until(cutOff + " stays behind " + other + " while partitioned", settings.deadline(),
                        () -> served(other) > served(cutOff), () -> null);
                long newest = served(other);
                long stuck = served(cutOff);
                log.accept("fault trainer-partition: " + other + " on v" + newest + ", " + cutOff + " held at v"
                        + stuck + "; healing");
                stack.heal();
                // Recovered when the replica that was cut off catches up (a push retried, or a fetch after the
                // announcement it read from the broker meanwhile).
                Poll.until(cutOff + " catches up to v" + newest + " after the partition heals", settings.deadline(),
                        () -> served(cutOff) >= newest, () -> null);
            }
            default -> throw new IllegalArgumentException(fault.toString());
        }
        Instant downTo = Instant.now();
        hold(settings.settle());
        return new FaultPhase(fault, start, downFrom, downTo, Instant.now(), replica);
    }

    /**
     * Keeps the current state (a stopped broker, the load after a recovery) for a set time: the scenario's own
     * length, not a wait for something to happen.
     */
    private static void hold(Duration d) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(d.toMillis());
    }

    private long served(String replicaUrl) {
        return Reconciliation.servedVersion(http, replicaUrl, ChaosScenario.POLICY);
    }

    /** Applied steps (all policies); NaN while the trainer does not answer. */
    private double trainerSteps() {
        String body = get(stack.settings().managementUrl(Service.TRAINER) + "/q/metrics");
        if (body == null) {
            return Double.NaN;
        }
        double sum = 0;
        Matcher m = STEPS.matcher(body);
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** {@code baseUrl}: the service's management interface, where health is served. */
    private boolean ready(String baseUrl) {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String get(String url) {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build();
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
