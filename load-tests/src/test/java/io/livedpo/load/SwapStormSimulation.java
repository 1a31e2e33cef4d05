package io.livedpo.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;

/**
 * Scenario (c), a swap storm: plain chat at {@code load.rate} with votes (A/B share high, so pairs keep coming)
 * against a stack whose trainer checkpoints and pushes a version every step (README.md: the trainer settings for
 * a version every few seconds). Reads serving's {@code livedpo_serving_model_swap_duration_seconds} histogram
 * before and after and prints the swaps during the run, their p50/p99 (as PromQL's histogram_quantile) and mean.
 * Passes only when no request failed; fails when no version was swapped in (the storm did not happen).
 */
public class SwapStormSimulation extends Simulation {

    static final String SWAP = "livedpo_serving_model_swap_duration_seconds";

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Interactions interactions = new Interactions(settings);
    private PrometheusHistogram before;

    {
        setUp(scenario("chat during swaps").exec(Flows.interaction(settings, interactions, false))
                .injectOpen(rampUsersPerSec(1).to(settings.rate()).during(settings.rampUp()),
                        constantUsersPerSec(settings.rate()).during(settings.duration())))
                .protocols(Flows.protocol())
                .assertions(global().failedRequests().count().is(0L));
    }

    @Override
    public void before() {
        before = PrometheusHistogram.scrape(settings.servingMetricsUrl(), SWAP);
    }

    @Override
    public void after() {
        PrometheusHistogram run = PrometheusHistogram.scrape(settings.servingMetricsUrl(), SWAP).minus(before);
        String line = String.format("swaps %.0f, swap duration p50 %.3f s, p99 %.3f s, mean %.3f s;"
                        + " answers by model version: %s", run.count(), run.quantile(0.5), run.quantile(0.99),
                run.mean(), interactions.answersByVersion());
        Summary.print("swap-storm", settings, line);
        if (run.count() < 1) {
            throw new IllegalStateException("no model swap during the run: start the stack with the swap-storm"
                    + " trainer settings (load-tests/README.md)");
        }
    }
}
