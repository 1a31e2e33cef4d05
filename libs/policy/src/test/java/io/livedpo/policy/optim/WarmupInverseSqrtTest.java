package io.livedpo.policy.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WarmupInverseSqrtTest {

    @Test
    void rampsHoldsThePeakThenDecaysAsTheInverseSquareRoot() {
        LrSchedule schedule = new WarmupInverseSqrt(1e-3f, 0f, 4, 25);
        assertEquals(0.25e-3f, schedule.lr(1), 1e-10f);
        assertEquals(1e-3f, schedule.lr(4), 1e-10f);
        assertEquals(1e-3f, schedule.lr(25), 1e-10f);
        // √(25/100) = 1/2, √(25/400) = 1/4.
        assertEquals(0.5e-3f, schedule.lr(100), 1e-9f);
        assertEquals(0.25e-3f, schedule.lr(400), 1e-9f);
        assertEquals(1e-3 * Math.sqrt(25.0 / 26), schedule.lr(26), 1e-9);
    }

    @Test
    void neverFallsUnderTheFloorAndNeverRises() {
        LrSchedule schedule = new WarmupInverseSqrt(2e-3f, 5e-4f, 10, 40);
        for (long s = 11; s <= 10_000; s++) {
            assertTrue(schedule.lr(s) <= schedule.lr(s - 1), "step " + s);
        }
        // √(40/640) = 1/4 of the peak is the floor: from there on it stays.
        assertEquals(5e-4f, schedule.lr(640), 1e-10f);
        assertEquals(5e-4f, schedule.lr(1_000_000), 1e-10f);
    }

    @Test
    void aDecayStartInsideTheWarmupDecaysFromTheWarmupsEnd() {
        LrSchedule schedule = new WarmupInverseSqrt(1e-3f, 0f, 16, 0);
        assertEquals(1e-3f, schedule.lr(16), 1e-10f);
        assertEquals(0.5e-3f, schedule.lr(64), 1e-9f);
    }

    @Test
    void rejectsInvalidInput() {
        assertThrows(IllegalArgumentException.class, () -> new WarmupInverseSqrt(1e-3f, 0f, 10, 100).lr(0));
        assertThrows(IllegalArgumentException.class, () -> new WarmupInverseSqrt(-1f, 0f, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new WarmupInverseSqrt(1e-3f, 2e-3f, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new WarmupInverseSqrt(1e-3f, 0f, -1, 100));
        assertThrows(IllegalArgumentException.class, () -> new WarmupInverseSqrt(1e-3f, 0f, 10, -1));
    }
}
