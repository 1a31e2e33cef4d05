package io.livedpo.local;

import java.util.List;
import java.util.Map;

/**
 * What the reconciliation found. Votes are classified from the topics alone, since feedback's own counters restart
 * with the process: <em>paired</em> (a pair on the pairs topic names its response), <em>joined, unpaired</em> (its
 * responses are on the responses topic but no pair names it: a thumbs vote still waiting for an opposite vote on its
 * prompt, or one the pairing rules dropped — duplicate, identical text, caps), <em>unmatched</em> (a response it names
 * never reached the responses topic, so feedback cannot join it and counts it unmatched after its grace period).
 *
 * @param problems empty when every check passed; otherwise one line per failed check
 */
public record ChaosReport(List<FaultRow> rows, long votesAccepted, long votesOnTopic, long votesLost,
                          long votesDuplicated, long votesPaired, long votesJoinedUnpaired, long votesUnmatched,
                          long pairs, long pairsDuplicatedOnTopic, long pairsTrainedTwice, long pairsUncovered,
                          long pairsSkipped, long newestAnnounced, long newestStored,
                          Map<String, Long> replicaVersions, List<String> problems) {

    public ChaosReport {
        rows = List.copyOf(rows);
        replicaVersions = Map.copyOf(replicaVersions);
        problems = List.copyOf(problems);
    }

    public boolean passed() {
        return problems.isEmpty();
    }

    /** The table, one line per phase, as the chaos command prints it (on stderr; stdout carries JSON). */
    public String table() {
        StringBuilder b = new StringBuilder(String.format("%-15s %6s %6s %7s %8s %8s %9s %6s %9s %8s %9s%n",
                "fault", "secs", "down", "req/s", "votes/s", "survived", "accepted", "lost", "dup-pairs",
                "chat-err", "err-bound"));
        for (FaultRow r : rows) {
            b.append(String.format("%-15s %6.0f %6.1f %7.2f %8.2f %8s %9d %6d %9d %8d %9d%n", r.fault(), r.seconds(),
                    r.downSeconds(), r.chatPerSecond(), r.votesPerSecond(), r.survived() ? "yes" : "NO",
                    r.votesAccepted(), r.votesLost(), r.pairsDuplicated(), r.chatFailures(),
                    r.chatFailureBound()));
        }
        return b.toString();
    }
}
