package io.livedpo.policy.dpo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DpoConfigTest {

    @Test
    void parsesCliNames() {
        assertEquals(DpoLossType.SIGMOID, DpoLossType.parse("sigmoid"));
        assertEquals(DpoLossType.IPO, DpoLossType.parse("ipo"));
        assertEquals(DpoLossType.HINGE, DpoLossType.parse(" Hinge "));
        assertEquals(DpoLossType.ROBUST, DpoLossType.parse("robust"));
    }

    @Test
    void unknownNameNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpoLossType.parse("kto"));
        assertTrue(e.getMessage().contains("sigmoid, ipo, hinge, robust"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DpoLossType.parse(null));
    }

    @Test
    void defaultsAreTrls() {
        DpoConfig cfg = DpoConfig.defaults();
        assertEquals(DpoLossType.SIGMOID, cfg.lossType());
        assertEquals(0.1, cfg.beta());
        assertEquals(0.0, cfg.labelSmoothing());
        assertEquals(0.0, cfg.sftWeight());
    }

    @Test
    void rejectsOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> new DpoConfig(DpoLossType.SIGMOID, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DpoConfig(DpoLossType.SIGMOID, Double.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DpoConfig(DpoLossType.ROBUST, 0.1, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new DpoConfig(DpoLossType.SIGMOID, 0.1, -0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DpoConfig(DpoLossType.SIGMOID, 0.1, 0, -1));
        assertThrows(NullPointerException.class, () -> new DpoConfig(null, 0.1, 0, 0));
    }
}
