package io.livedpo.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UserPopulationTest {

    private static SimulationConfig config(int users, double adversarial, double flooders, long seed) {
        return new SimulationConfig(users, 10, 0.05, adversarial, flooders, seed, 1, -1.5);
    }

    private static long count(UserPopulation population, SimulatedUser.Kind kind) {
        return population.users().stream().filter(u -> u.kind() == kind).count();
    }

    @Test
    void respectsShares() {
        UserPopulation population = new UserPopulation(config(200, 0.15, 0.05, 1));
        assertEquals(200, population.users().size());
        assertEquals(30, count(population, SimulatedUser.Kind.ADVERSARIAL_OPPOSITE));
        assertEquals(10, count(population, SimulatedUser.Kind.FLOODER));
        assertEquals(160, count(population, SimulatedUser.Kind.NORMAL));
        assertEquals(200, population.users().stream().map(SimulatedUser::id).distinct().count());
        population.users().forEach(u -> assertEquals(0.05, u.noise()));
        population.users().forEach(u -> assertEquals(new UserModel(1, -1.5), u.model()));
    }

    @Test
    void deterministicForASeed() {
        List<SimulatedUser> first = new UserPopulation(config(100, 0.2, 0.1, 7)).users();
        assertEquals(first, new UserPopulation(config(100, 0.2, 0.1, 7)).users());
        assertNotEquals(first, new UserPopulation(config(100, 0.2, 0.1, 8)).users());
    }

    @Test
    void picksUsersUniformly() {
        UserPopulation population = new UserPopulation(config(10, 0.3, 0.1, 3));
        SplittableRandom rng = new SplittableRandom(4);
        Map<String, Integer> picks = new HashMap<>();
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            picks.merge(population.pick(rng).id(), 1, Integer::sum);
        }
        assertEquals(10, picks.size());
        picks.values().forEach(n -> assertTrue(Math.abs(n - draws / 10) < 300, "picks " + n));
    }

    @Test
    void rejectsInvalidConfigs() {
        assertThrows(IllegalArgumentException.class, () -> config(0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> config(10, 0.7, 0.4, 1));
        assertThrows(IllegalArgumentException.class, () -> config(10, -0.1, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new SimulationConfig(10, 0, 0.05, 0, 0, 1, 1, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new SimulationConfig(10, 1, 0.05, 0, 0, 1, -1, -1));
    }
}
