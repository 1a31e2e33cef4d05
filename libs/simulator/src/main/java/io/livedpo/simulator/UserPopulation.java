package io.livedpo.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * {@link SimulationConfig#users()} users, of whom round(share × users) are adversarial and round(share × users) are
 * flooders, at positions shuffled by the config's seed. Picks a user uniformly for each interaction.
 */
public final class UserPopulation {

    private final List<SimulatedUser> users;

    public UserPopulation(SimulationConfig config) {
        int n = config.users();
        int adversarial = (int) Math.round(config.adversarialShare() * n);
        int flooders = Math.min(n - adversarial, (int) Math.round(config.flooderShare() * n));
        List<SimulatedUser.Kind> kinds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            kinds.add(i < adversarial ? SimulatedUser.Kind.ADVERSARIAL_OPPOSITE
                    : i < adversarial + flooders ? SimulatedUser.Kind.FLOODER : SimulatedUser.Kind.NORMAL);
        }
        // Shuffled so that kinds do not cluster by id; java.util.Random gives the same order on every JDK.
        Collections.shuffle(kinds, new Random(config.seed()));
        UserModel model = config.userModel();
        List<SimulatedUser> built = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            built.add(new SimulatedUser(String.format("user-%04d", i), kinds.get(i), config.noise(), model));
        }
        this.users = List.copyOf(built);
    }

    public List<SimulatedUser> users() {
        return users;
    }

    public SimulatedUser pick(RandomGenerator rng) {
        return users.get(rng.nextInt(users.size()));
    }
}
