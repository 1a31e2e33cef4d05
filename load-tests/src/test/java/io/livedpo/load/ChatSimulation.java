package io.livedpo.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;

/**
 * Scenario (a), the whole loop: simulated users ({@code libs/simulator}) arrive at {@code load.rate} interactions
 * per second (open model), each asks serving for an answer — plain, streamed (SSE, {@code load.stream-share}), or
 * two answers ({@code load.ab-share}) — and votes on it as its hidden-reward model says: a thumbs vote, or an A/B
 * choice. The votes pair up, the trainer trains on them and publishes versions while the load runs; the run ends
 * with the answers each model version gave. Passes only when no request failed.
 */
public class ChatSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Interactions interactions = new Interactions(settings);

    {
        setUp(scenario("simulated users").exec(Flows.interaction(settings, interactions, true))
                .injectOpen(rampUsersPerSec(1).to(settings.rate()).during(settings.rampUp()),
                        constantUsersPerSec(settings.rate()).during(settings.duration())))
                .protocols(Flows.protocol())
                .assertions(global().failedRequests().count().is(0L));
    }

    @Override
    public void after() {
        Summary.print("chat", settings, "answers by model version: " + interactions.answersByVersion());
    }
}
