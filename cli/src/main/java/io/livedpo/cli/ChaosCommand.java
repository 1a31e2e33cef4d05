package io.livedpo.cli;

import io.livedpo.local.ChaosReport;
import io.livedpo.local.ChaosRunner;
import io.livedpo.local.ChaosScenario;
import io.livedpo.local.Fault;
import io.livedpo.local.FaultRow;
import io.livedpo.local.Ports;
import io.livedpo.local.Service;
import io.livedpo.local.ServiceBuilds;
import io.livedpo.local.StackSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The fault scenario: the local stack with two serving replicas under simulated load, faults one after another (each
 * followed by a restart), then the reconciliation of the topics and checkpoints against the users' vote ledger. One
 * JSON line per fault and one summary on stdout, the table on stderr; exit 1 when a check failed.
 */
@Command(mixinStandardHelpOptions = true, name = "chaos",
        description = "Run the loop locally with two serving replicas under simulated load, kill -9 serving, feedback"
                + " and the trainer, restart the broker and partition the trainer from a replica one after another,"
                + " then reconcile every accepted vote"
                + " and every pair; one JSON line per fault, the table on stderr, exit 1 if a check failed.")
final class ChaosCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "base model (default: models/demo)")
    Path model;

    @Option(names = "--data-dir", defaultValue = ".livedpo-chaos", paramLabel = "DIR",
            description = "emptied first (only if an earlier run made it): Kafka data, checkpoints, logs")
    Path dataDir;

    @Option(names = "--users", defaultValue = "8", paramLabel = "N", description = "simulated users")
    int users;

    @Option(names = "--rate", defaultValue = "4", paramLabel = "R", description = "interactions per second in all")
    double rate;

    @Option(names = "--ab-share", defaultValue = "0.5", paramLabel = "S",
            description = "share of interactions that are A/B choices (each one a pair at once)")
    double abShare;

    @Option(names = "--max-tokens", defaultValue = "32", paramLabel = "N", description = "answer length cap")
    int maxTokens;

    @Option(names = "--faults", split = ",", paramLabel = "F",
            defaultValue = "trainer-partition,serving-kill,feedback-kill,trainer-kill,broker-restart",
            description = "in order: trainer-partition, serving-kill, feedback-kill, trainer-kill, broker-restart")
    List<String> faults;

    @Option(names = "--rounds", defaultValue = "1", paramLabel = "N", description = "run the fault list N times")
    int rounds;

    @Option(names = "--settle", defaultValue = "30", paramLabel = "SECONDS",
            description = "load held after each recovery, before the next fault")
    long settleSeconds;

    @Option(names = "--broker-down", defaultValue = "10", paramLabel = "SECONDS",
            description = "how long the broker stays stopped")
    long brokerDownSeconds;

    @Option(names = "--partition", defaultValue = "20", paramLabel = "SECONDS",
            description = "how long the trainer stays cut off from the second replica once the first got two"
                    + " versions more")
    long partitionSeconds;

    @Option(names = "--deadline", defaultValue = "300", paramLabel = "SECONDS",
            description = "longest wait for the first version, a fault's trigger or recovery, and the final settling")
    long deadlineSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (rounds < 1 || users < 1 || !(rate > 0) || settleSeconds < 0 || brokerDownSeconds < 0
                || partitionSeconds < 0) {
            throw new BadInputException("--rounds, --users and --rate must be positive, --settle, --broker-down and"
                    + " --partition not negative");
        }
        List<Fault> plan = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            faults.forEach(f -> plan.add(Fault.of(f.trim())));
        }
        Path home = Path.of(System.getProperty("livedpo.home", ".")).toAbsolutePath().normalize();
        Path modelDir = model != null ? model : home.resolve("models/demo");
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new BadInputException("no model at " + modelDir + " (pass --model DIR)");
        }
        UpCommand.deleteDataDir(dataDir);
        Files.createDirectories(dataDir);
        // The Kafka clients in this JVM (reconciliation, watcher) warn while the broker is down: into the log.
        System.setProperty("org.slf4j.simpleLogger.logFile", dataDir.resolve("livedpo-chaos.log").toString());
        try {
            if (!ServiceBuilds.buildMissing(home, EnumSet.allOf(Service.class)).isEmpty()) {
                err.println("livedpo chaos: services built");
            }
            Duration deadline = Duration.ofSeconds(deadlineSeconds);
            StackSettings stack = ChaosScenario.stackSettings(home, dataDir, modelDir, Ports.ephemeral());
            ChaosScenario scenario = new ChaosScenario(stack, users, rate, abShare, maxTokens, deadline,
                    new ChaosRunner.Settings(plan, Duration.ofSeconds(brokerDownSeconds),
                            Duration.ofSeconds(partitionSeconds), Duration.ofSeconds(settleSeconds), deadline),
                    deadline);
            ChaosReport report = scenario.run(line -> {
                err.println("livedpo chaos: " + line);
                err.flush();
            });
            report.rows().forEach(r -> Json.print(out, json(r)));
            Json.print(out, summary(report));
            err.print(report.table());
            report.problems().forEach(p -> err.println("livedpo chaos: FAILED: " + p));
            err.flush();
            return report.passed() ? 0 : 1;
        } catch (IllegalStateException e) {
            // A child that failed to start or recover: its message names the log to read.
            err.println("livedpo chaos: " + e.getMessage());
            return 1;
        }
    }

    private static Map<String, Object> json(FaultRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fault", r.fault());
        m.put("seconds", r.seconds());
        m.put("down_seconds", r.downSeconds());
        m.put("chat_per_second", r.chatPerSecond());
        m.put("votes_per_second", r.votesPerSecond());
        m.put("survived", r.survived());
        m.put("votes_accepted", r.votesAccepted());
        m.put("votes_lost", r.votesLost());
        m.put("votes_duplicated", r.votesDuplicated());
        m.put("pairs_duplicated", r.pairsDuplicated());
        m.put("chat_failures", r.chatFailures());
        m.put("chat_failure_bound", r.chatFailureBound());
        return m;
    }

    private static Map<String, Object> summary(ChaosReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("faults_survived", r.rows().stream().filter(x -> !x.fault().equals("steady") && x.survived()).count());
        m.put("votes_accepted", r.votesAccepted());
        m.put("votes_on_topic", r.votesOnTopic());
        m.put("votes_lost", r.votesLost());
        m.put("votes_duplicated", r.votesDuplicated());
        m.put("votes_paired", r.votesPaired());
        m.put("votes_joined_unpaired", r.votesJoinedUnpaired());
        m.put("votes_unmatched", r.votesUnmatched());
        m.put("pairs", r.pairs());
        m.put("pairs_duplicated_on_topic", r.pairsDuplicatedOnTopic());
        m.put("pairs_trained_twice", r.pairsTrainedTwice());
        m.put("pairs_uncovered", r.pairsUncovered());
        m.put("pairs_skipped", r.pairsSkipped());
        m.put("newest_announced", r.newestAnnounced());
        m.put("newest_stored", r.newestStored());
        m.put("replica_versions", r.replicaVersions());
        m.put("passed", r.passed());
        m.put("problems", r.problems());
        return m;
    }
}
