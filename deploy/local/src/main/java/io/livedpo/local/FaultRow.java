package io.livedpo.local;

/**
 * One line of the chaos table: a fault's phase (or {@code steady}, the time outside every fault) with the load it
 * held and what the reconciliation found for the votes and pairs of that time.
 *
 * @param survived          the component came back ready and the loop went on (always true for a row the runner
 *                          completed; a fault it did not survive ends the run with an error)
 * @param votesLost         accepted (202) votes of this phase that are not on the feedback topic: must be 0
 * @param votesDuplicated   accepted votes of this phase on the feedback topic more than once
 * @param pairsDuplicated   pairs created in this phase that are on the pairs topic more than once, or trained into
 *                          more than one checkpoint: must be 0
 * @param chatFailureBound  the failures the phase may have: a dead replica's share of the rate for the time it was
 *                          down, plus the requests in flight when it died; 0 where no replica went down
 */
public record FaultRow(String fault, double seconds, double downSeconds, double chatPerSecond, double votesPerSecond,
                       boolean survived, long votesAccepted, long votesLost, long votesDuplicated,
                       long pairsDuplicated, long chatFailures, long chatFailureBound) {
}
