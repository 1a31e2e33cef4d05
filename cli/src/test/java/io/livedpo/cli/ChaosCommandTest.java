package io.livedpo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code livedpo chaos} refuses a plan it cannot run before it starts or deletes anything. */
class ChaosCommandTest {

    @Test
    void anUnknownFaultIsBadInputNamingTheKnownOnes() {
        CliRun run = CliRun.of("chaos", "--faults", "serving-kill,disk-full", "--data-dir", "target/chaos-never");
        assertEquals(Livedpo.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("unknown fault 'disk-full'") && run.err().contains("broker-restart"), run.err());
    }

    @Test
    void theUnknownFaultMessageNamesThePartition() {
        CliRun run = CliRun.of("chaos", "--faults", "netsplit", "--data-dir", "target/chaos-never");
        assertEquals(Livedpo.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("trainer-partition"), run.err());
    }

    @Test
    void aNegativePartitionIsBadInput() {
        CliRun run = CliRun.of("chaos", "--partition", "-1", "--data-dir", "target/chaos-never");
        assertEquals(Livedpo.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("--partition"), run.err());
    }

    @Test
    void zeroRoundsIsBadInput() {
        CliRun run = CliRun.of("chaos", "--rounds", "0", "--data-dir", "target/chaos-never");
        assertEquals(Livedpo.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("--rounds"), run.err());
    }
}
