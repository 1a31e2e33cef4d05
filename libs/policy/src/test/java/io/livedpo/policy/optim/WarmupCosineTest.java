package io.livedpo.policy.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WarmupCosineTest {

    @Test
    void rampsLinearlyThenDecaysAlongACosineToTheFloor() {
        LrSchedule schedule = new WarmupCosine(1e-3f, 1e-4f, 4, 14);
        assertEquals(0.25e-3f, schedule.lr(1), 1e-10f);
        assertEquals(0.75e-3f, schedule.lr(3), 1e-10f);
        assertEquals(1e-3f, schedule.lr(4), 1e-10f);
        // Half-way through the decay the cosine term is 1/2: the mean of peak and floor.
        assertEquals(0.55e-3f, schedule.lr(9), 1e-9f);
        assertEquals(1e-4f + 0.9e-3f * 0.5 * (1 + Math.cos(Math.PI * 0.3)), schedule.lr(7), 1e-9f);
        assertEquals(1e-4f, schedule.lr(14), 1e-10f);
        assertEquals(1e-4f, schedule.lr(1_000), 1e-10f);
    }

    @Test
    void decayIsMonotoneAfterWarmup() {
        LrSchedule schedule = new WarmupCosine(6e-4f, 0f, 10, 200);
        for (long s = 11; s <= 200; s++) {
            assertTrue(schedule.lr(s) <= schedule.lr(s - 1), "step " + s);
        }
        assertEquals(0f, schedule.lr(200));
    }

    @Test
    void noWarmupStartsTheDecayAtOnce() {
        // Step 1 is already 1/100 of the way down the cosine.
        assertEquals(5e-4 * 0.5 * (1 + Math.cos(Math.PI / 100)), new WarmupCosine(5e-4f, 0f, 0, 100).lr(1), 1e-10);
        assertEquals(0f, new WarmupCosine(5e-4f, 0f, 0, 0).lr(1), "a run of 0 steps is over at once");
    }

    @Test
    void rejectsInvalidInput() {
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1e-3f, 0f, 10, 100).lr(0));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(-1f, 0f, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1e-3f, 2e-3f, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1e-3f, 0f, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1e-3f, 0f, -1, 5));
    }
}
