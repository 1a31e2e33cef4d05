package io.livedpo.feedback.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.events.CanaryArm;
import io.livedpo.events.CanaryDecision;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.JsonSerializer;
import io.livedpo.events.PromptHash;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import io.livedpo.feedback.ManagementEndpoints;
import io.livedpo.feedback.TopicReader;
import io.livedpo.simulator.AnswerWriter;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import io.livedpo.simulator.SimulatedUser;
import io.livedpo.simulator.SimulationConfig;
import io.livedpo.simulator.Style;
import io.livedpo.simulator.UserPopulation;
import io.livedpo.simulator.Vote;
import io.livedpo.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The live canary judged by simulated users through the running feedback app: responses as serving tags them during
 * a canary (half to the candidate, half to its parent), thumbs from the simulator's users over REST, the app's Kafka
 * Streams judge, and its decision on {@link Topics#CANARY_DECISIONS} at the default test settings. A candidate that
 * answers in the style users like least (what an adapter trained on inverted pairs learns) is rolled back, one in the
 * style they like most is promoted, each within a bounded number of votes, and every vote is accepted.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class LiveCanaryIT {

    /** Votes after which each canary must have been decided: far below the 1,000-candidate-vote backstop. */
    private static final int VOTE_BOUND = 400;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aWorseCandidateIsRolledBackAndABetterOneIsPromotedWithinBoundedVotes() throws Exception {
        Awaitility.await("ready").atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> ManagementEndpoints.given().when().get("/q/health/ready").then().statusCode(200));
        String policy = "canary-" + UUID.randomUUID().toString().substring(0, 8);
        Random rng = new Random(7);

        Verdict worse = runCanary(policy, 1, 0, p -> Style.WORST, rng);
        assertEquals(CanaryDecision.Action.ROLLBACK, worse.decision().action(), worse.toString());
        assertEquals("sprt", worse.decision().reason());
        assertTrue(worse.decision().candidateRate() < worse.decision().parentRate(), worse.toString());
        assertTrue(worse.decision().candidateVotes() + worse.decision().parentVotes() <= VOTE_BOUND, worse.toString());

        Verdict better = runCanary(policy, 2, 0, p -> Style.BEST, rng);
        assertEquals(CanaryDecision.Action.PROMOTE, better.decision().action(), better.toString());
        assertEquals("sprt", better.decision().reason());
        assertTrue(better.decision().logLikelihoodRatio() >= better.decision().upperBound(), better.toString());
        assertTrue(better.decision().candidateVotes() + better.decision().parentVotes() <= VOTE_BOUND,
                better.toString());
    }

    record Verdict(CanaryDecision decision, int votesCast) {
    }

    /**
     * Serves and votes until the judge decides the canary of {@code candidate} against {@code parent} (a random
     * style, as the base model answers), at most {@link #VOTE_BOUND} votes.
     */
    private Verdict runCanary(String policy, long candidate, long parent, Function<Prompt, Style> candidateStyle,
                              Random rng) throws Exception {
        PromptGenerator prompts = new PromptGenerator(candidate);
        UserPopulation users = new UserPopulation(new SimulationConfig(200, 5.0, 0.05, 0.0, 0.0, candidate,
                SimulationConfig.DEFAULT.k(), SimulationConfig.DEFAULT.threshold()));
        CanaryArm arm = new CanaryArm(candidate, parent);
        String key = CanaryArm.key(policy, candidate);
        try (KafkaProducer<String, ResponseEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new JsonSerializer<>());
             TopicReader<CanaryDecision> decisions = new TopicReader<>(bootstrap, Topics.CANARY_DECISIONS,
                     new JsonDeserializer<>(CanaryDecision.class))) {
            for (int votes = 1; votes <= VOTE_BOUND; votes++) {
                Prompt prompt = prompts.next();
                boolean toCandidate = rng.nextBoolean();
                String answer = AnswerWriter.write(prompt, toCandidate ? candidateStyle.apply(prompt)
                        : Style.random(rng), rng);
                List<PromptMessage> messages = List.of(new PromptMessage("user", prompt.userText()));
                String responseId = UUID.randomUUID().toString();
                producer.send(new ProducerRecord<>(Topics.RESPONSES, responseId, new ResponseEvent(
                        ResponseEvent.SCHEMA, responseId, "c-" + responseId, policy, toCandidate ? candidate : parent,
                        messages, answer, null, PromptHash.of(policy, messages), Instant.now(), arm)))
                        .get(30, TimeUnit.SECONDS);
                SimulatedUser user = users.pick(rng);
                Vote vote = user.thumbs(prompt, answer, rng);
                given().contentType("application/json").body(Map.of("response_id", responseId, "rating",
                                vote == Vote.UP ? "up" : "down", "user_id", user.id()))
                        .post("/v1/feedback").then().statusCode(202);
                Optional<CanaryDecision> decided = decisions.poll().stream().filter(d -> d.key().equals(key))
                        .findFirst();
                if (decided.isPresent()) {
                    return new Verdict(decided.get(), votes);
                }
            }
            // The last votes may still be on their way through the topology.
            CanaryDecision late = decisions.readUntil(all -> all.stream().anyMatch(d -> d.key().equals(key)),
                    Duration.ofSeconds(60)).stream().filter(d -> d.key().equals(key)).findFirst().orElseThrow(
                            () -> new AssertionError(key + " undecided after " + VOTE_BOUND + " votes"));
            return new Verdict(late, VOTE_BOUND);
        }
    }
}
