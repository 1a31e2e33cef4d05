package io.livedpo.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Scenario (b), feedback only: {@code load.clients} concurrent clients (closed model: each sends its next vote when
 * the last is answered) post thumbs votes as fast as feedback accepts them, on response ids read from
 * {@code livedpo.responses.v1} (so every vote can join its answer), spread over {@code load.users} × 1,000 user ids
 * so the per-user rate limit (5/s) does not refuse them. A 202 means the vote is on the broker with acks=all;
 * Gatling's requests/s is accepted votes/s. Passes only when every vote got its 202.
 */
public class FirehoseSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final List<String> responseIds = ResponseIds.read(settings.kafka(), 100_000, Duration.ofSeconds(60));

    {
        if (responseIds.isEmpty()) {
            throw new IllegalStateException("no responses on livedpo.responses.v1 at " + settings.kafka()
                    + ": run the chat simulation (or bin/livedpo up --simulate-users) first");
        }
        System.out.printf("firehose: %d response ids read from livedpo.responses.v1%n", responseIds.size());
        int userIds = settings.users() * 1_000;
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        ThreadLocal<SplittableRandom> rng = ThreadLocal.withInitial(() -> {
            synchronized (seeds) {
                return seeds.split();
            }
        });
        Iterator<Map<String, Object>> votes = Stream.generate(() -> {
            SplittableRandom r = rng.get();
            return Map.<String, Object>of("responseId", responseIds.get(r.nextInt(responseIds.size())),
                    "rating", r.nextBoolean() ? "up" : "down", "userId", "firehose-" + r.nextInt(userIds));
        }).iterator();
        setUp(scenario("feedback firehose").feed(votes)
                .exec(http("vote thumbs").post(settings.feedbackUrl() + "/v1/feedback")
                        .body(StringBody("{\"response_id\":\"#{responseId}\",\"rating\":\"#{rating}\","
                                + "\"user_id\":\"#{userId}\"}"))
                        .check(status().is(202)))
                .injectClosed(rampConcurrentUsers(1).to(settings.clients()).during(settings.rampUp()),
                        constantConcurrentUsers(settings.clients()).during(settings.duration())))
                .protocols(Flows.protocol())
                .assertions(global().failedRequests().count().is(0L));
    }

    @Override
    public void after() {
        Summary.print("firehose", settings, settings.clients() + " clients");
    }
}
