package io.livedpo.policy.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WarmupConstantTest {

    @Test
    void rampsLinearlyThenHolds() {
        LrSchedule schedule = new WarmupConstant(1e-3f, 4);
        assertEquals(0.25e-3f, schedule.lr(1), 1e-10f);
        assertEquals(0.75e-3f, schedule.lr(3), 1e-10f);
        assertEquals(1e-3f, schedule.lr(4));
        assertEquals(1e-3f, schedule.lr(1_000_000));
    }

    @Test
    void noWarmupIsConstantFromTheFirstStep() {
        assertEquals(5e-4f, new WarmupConstant(5e-4f, 0).lr(1));
    }

    @Test
    void rejectsInvalidInput() {
        assertThrows(IllegalArgumentException.class, () -> new WarmupConstant(1e-3f, 10).lr(0));
        assertThrows(IllegalArgumentException.class, () -> new WarmupConstant(-1f, 10));
        assertThrows(IllegalArgumentException.class, () -> new WarmupConstant(1e-3f, -1));
    }
}
