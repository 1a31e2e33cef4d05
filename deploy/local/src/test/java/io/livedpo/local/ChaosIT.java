package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short fault scenario ({@code livedpo chaos}'s, shortened): the stack with two serving replicas on the tiny
 * fixture model under simulated load; one {@code kill -9} each of a serving replica, feedback and the trainer (while
 * it trains) and one broker stop/start, each followed by a restart; one network partition between the trainer and the
 * second replica (the runner fails unless the first replica gets two new versions meanwhile and the second none, and
 * the second catches up once healed); then the reconciliation against the users' ledger. No accepted vote may be lost
 * or doubled, no pair duplicated or trained twice, every pair must be in a checkpoint, both replicas must end on the
 * newest version and chat failures must stay within what the down time of the killed replica explains (none for the
 * partition: chat never went through it).
 */
class ChaosIT {

    @Test
    void everyAcceptedVoteAndEveryPairSurvivesKillsABrokerRestartAndAPartition() throws Exception {
        Path home = LocalStackIT.HOME;
        StackSettings stack = ChaosScenario.stackSettings(home, TestDirs.fresh("it-chaos"),
                home.resolve("libs/policy/src/test/resources/fixtures/tiny-gpt2"), Ports.ephemeral());
        // The partition first: it needs the trainer to publish two versions while it lasts, which a trainer just
        // restarted with a backlog does not do for minutes (it trains a whole poll of pairs before its checkpoint).
        List<Fault> faults = List.of(Fault.TRAINER_PARTITION, Fault.SERVING_KILL, Fault.FEEDBACK_KILL,
                Fault.TRAINER_KILL, Fault.BROKER_RESTART);
        ChaosScenario scenario = new ChaosScenario(stack, 6, 4, 0.5, 8, Duration.ofMinutes(3),
                new ChaosRunner.Settings(faults, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
                        Duration.ofMinutes(3)),
                Duration.ofMinutes(5));

        ChaosReport report = scenario.run(line -> System.out.println("chaos: " + line));
        System.out.print(report.table());

        assertTrue(report.passed(), "reconciliation failed: " + report.problems() + "\n" + report.table());
        assertEquals(faults.size() + 1, report.rows().size(), "one row per fault and one for the steady load");
        assertTrue(report.votesAccepted() > 0, "the users' votes were accepted");
        assertEquals(0, report.votesLost(), "accepted votes lost");
        assertEquals(0, report.pairsDuplicatedOnTopic() + report.pairsTrainedTwice(), "pairs duplicated");
        assertTrue(report.pairs() > 0 && report.pairsUncovered() == 0, "every pair trained into a checkpoint");
        assertTrue(report.newestAnnounced() >= 1, "the trainer published a version");
        assertEquals(2, report.replicaVersions().size());
        report.replicaVersions().forEach((url, v) -> assertEquals(report.newestAnnounced(), v,
                url + " ends on the newest version"));
        for (FaultRow row : report.rows()) {
            assertTrue(row.chatFailures() <= row.chatFailureBound(), row.fault() + ": " + row.chatFailures()
                    + " chat failures over the bound " + row.chatFailureBound());
        }
    }
}
