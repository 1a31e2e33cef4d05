package io.livedpo.policy.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrScheduleKindTest {

    @Test
    void parsesTheCliNames() {
        assertEquals(LrScheduleKind.CONSTANT, LrScheduleKind.parse("constant"));
        assertEquals(LrScheduleKind.INVERSE_SQRT, LrScheduleKind.parse(" Inverse-Sqrt "));
        assertEquals(LrScheduleKind.INVERSE_SQRT, LrScheduleKind.parse("inverse_sqrt"));
        assertEquals(LrScheduleKind.COSINE, LrScheduleKind.parse("COSINE"));
        assertThrows(IllegalArgumentException.class, () -> LrScheduleKind.parse("linear"));
        assertThrows(IllegalArgumentException.class, () -> LrScheduleKind.parse(null));
    }

    @Test
    void eachKindBuildsItsScheduleWithTheFloorAsAFractionOfThePeak() {
        assertEquals(new WarmupConstant(2e-3f, 10), LrScheduleKind.CONSTANT.schedule(2e-3f, 10, 50, 0.25));
        assertEquals(new WarmupInverseSqrt(2e-3f, 5e-4f, 10, 50),
                LrScheduleKind.INVERSE_SQRT.schedule(2e-3f, 10, 50, 0.25));
        // The cosine's length counts from the end of the warm-up.
        assertEquals(new WarmupCosine(2e-3f, 5e-4f, 10, 60), LrScheduleKind.COSINE.schedule(2e-3f, 10, 50, 0.25));
        assertEquals(5e-4f, LrScheduleKind.COSINE.schedule(2e-3f, 10, 50, 0.25).lr(1_000), 1e-10f);
    }
}
