package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.livedpo.events.CanaryArm;
import io.livedpo.events.CanaryDecision;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.Topics;
import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointArchive;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.train.PreferenceExample;
import io.livedpo.proto.ModelControlGrpc;
import io.livedpo.proto.ModelStatus;
import io.livedpo.proto.Outcome;
import io.livedpo.proto.PushCheckpointResponse;
import io.livedpo.proto.StatusRequest;
import io.livedpo.simulator.Prompt;
import io.livedpo.simulator.PromptGenerator;
import io.livedpo.transfer.ArchiveFrames;
import io.livedpo.transfer.ArchiveHeader;
import io.livedpo.transfer.ArchiveSignature;
import io.livedpo.transfer.ControlToken;
import io.livedpo.transfer.PushSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The live canary with real adapters, end to end (issue #13): two LoRA adapters trained here by the project's DPO code
 * on the same pairs of base-model answers, chosen by the simulated users' hidden reward — one on those preferences,
 * one on the same pairs inverted — are pushed in turn to the real serving app (the demo model) over ModelControl as
 * live canaries, exactly as the trainer's {@code ReplicaPusher} pushes with {@code livedpo.trainer.canary.enabled}.
 * Simulated users chat through serving's REST API and vote through feedback's; feedback's Kafka Streams judge
 * decides; serving applies the decision it reads from {@link Topics#CANARY_DECISIONS}. The inverted adapter must be
 * rolled back and the honest one promoted, each by the sequential test (not a limit) within {@link #VOTE_BOUND}
 * votes, no chat request may fail during either, and serving must end on the honest version, answering with it.
 * The trainer does not run: this test is the publisher, so both adapters are known to be what they claim.
 *
 * <p>The precondition is checked first, offline: on fresh prompts, an honest simulated user's expected thumbs-up
 * rate is at least 1.5 δ (the judge's effect) lower for the inverted adapter than for the base, and at least 2 δ
 * higher for the honest one. The effect sizes and the stages' times are printed ({@code canary:} lines). The
 * dashboard's "Live canary" row is checked against what the apps export once both canaries ran.
 */
class TrainedAdapterCanaryIT {

    static final String POLICY = "default";
    static final long SEED = 13;
    /**
     * Pairs both adapters train on, in mini-batches of {@link #BATCH}: one epoch for the honest adapter, two for the
     * inverted one. Measured on the demo model (150 fresh prompts, an honest user's expected thumbs-up): base 0.316;
     * honest 0.634 after one epoch (0.749 after two); inverted 0.161 after one epoch, 0.106 after two, 0.101 after
     * three — one epoch of inverted pairs left it only 1.5 δ below the base, which the live test needed up to 209
     * votes to reject, so it trains for two.
     */
    static final int PAIRS = 320;
    static final int BATCH = 8;
    static final int HONEST_EPOCHS = 1;
    static final int INVERTED_EPOCHS = 2;
    static final int EVAL_PROMPTS = 150;
    /** Feedback's default δ: the drop in thumbs-up rate that the judge treats as worse. */
    static final double EFFECT = 0.1;
    /**
     * Votes (thumbs on either arm plus A/B choices between them, as the decision's evidence counts them) within which
     * each canary must be decided: far below the judge's backstop of 1,000 candidate votes. Simulated with the judge's
     * test at this traffic (half the requests to each arm, a fifth of the interactions A/B) and the offline rates
     * above, 20,000 runs each: the inverted canary (0.106 vs 0.316) is rolled back after 103 votes on average, 380 at
     * the 99.9th percentile, over 400 in 0.07 % of runs and promoted in 0.01 %; the honest one (0.634 vs 0.316) is
     * promoted after 76 on average, 180 at the 99.9th percentile.
     */
    static final long VOTE_BOUND = 400;
    /** The candidate's share of traffic in this test (default 0.1): both arms earn their votes at the same pace. */
    static final String CANARY_SHARE = "0.5";
    static final Duration DECISION_TIMEOUT = Duration.ofMinutes(3);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void anAdapterTrainedOnInvertedPairsIsRolledBackAndAnHonestOneIsPromoted() throws Exception {
        Path home = LocalStackIT.HOME;
        Path model = home.resolve("models/demo");
        assertTrue(Files.isRegularFile(model.resolve("config.json")), "no demo model at " + model);
        Path dataDir = TestDirs.fresh("it-canary");
        Path inverted = dataDir.resolve("adapters").resolve("v1");
        Path honest = dataDir.resolve("adapters").resolve("v2");
        trainBoth(model, inverted, honest);

        StackSettings settings = StackSettings.of(home, dataDir.resolve("stack"), model, Ports.ephemeral())
                .withServices(EnumSet.of(Service.SERVING, Service.FEEDBACK))
                .withOverrides(Map.of(Service.SERVING, Map.of("livedpo.serving.canary.share", CANARY_SHARE)));
        VoteLedger ledger = new VoteLedger();
        try (LocalStack stack = LocalStack.start(settings);
             KafkaConsumer<String, CanaryDecision> decisions = decisions(stack.bootstrapServers())) {
            ManagedChannel control = ManagedChannelBuilder.forAddress("127.0.0.1",
                    settings.ports().servingControl()).usePlaintext().build();
            try {
                Control serving = new Control(control, stack.secrets());
                // Thumbs mostly (the votes the test weighs per arm), and A/B choices between the arms.
                UserTraffic.Settings traffic = new UserTraffic.Settings(settings.servingUrl(),
                        settings.feedbackUrl(), 20, 6, 0.2, CanaryAdapters.MAX_TOKENS, 8, SEED);
                CanaryDecision rolledBack;
                CanaryDecision promoted;
                try (UserTraffic users = new UserTraffic(traffic, ledger)) {
                    users.start();
                    rolledBack = canary(serving, inverted, decisions, stack);
                    Poll.until("serving drops the rolled-back candidate", Duration.ofSeconds(30),
                            () -> serving.status().getActiveVersion() == 0
                                    && serving.status().getCandidateVersion() < 0, () -> null);
                    promoted = canary(serving, honest, decisions, stack);
                    Poll.until("serving promotes the candidate", Duration.ofSeconds(30),
                            () -> serving.status().getActiveVersion() == 2
                                    && serving.status().getCandidateVersion() < 0, () -> null);
                    long servedBefore = ledger.chatAnswers().size();
                    Poll.until("users keep being answered after the promotion", Duration.ofSeconds(30),
                            () -> ledger.chatAnswers().size() > servedBefore + 10, () -> null);
                }
                report("inverted", rolledBack, ledger);
                report("honest", promoted, ledger);

                assertEquals(CanaryDecision.Action.ROLLBACK, rolledBack.action(), rolledBack.toString());
                assertEquals("sprt", rolledBack.reason(), rolledBack.toString());
                assertTrue(rolledBack.logLikelihoodRatio() <= rolledBack.lowerBound(), rolledBack.toString());
                assertTrue(rolledBack.candidateRate() < rolledBack.parentRate(), rolledBack.toString());
                assertTrue(votes(rolledBack) <= VOTE_BOUND, votes(rolledBack) + " votes: " + rolledBack);

                assertEquals(CanaryDecision.Action.PROMOTE, promoted.action(), promoted.toString());
                assertEquals("sprt", promoted.reason(), promoted.toString());
                assertTrue(promoted.logLikelihoodRatio() >= promoted.upperBound(), promoted.toString());
                assertTrue(votes(promoted) <= VOTE_BOUND, votes(promoted) + " votes: " + promoted);
                assertEquals(0, promoted.parentVersion(), "the honest adapter was tried against the base");

                assertEquals(0, ledger.chatFailures(), "chat requests failed: " + ledger.chatFailureLog());
                assertEquals(Set.of(0L, 1L, 2L), ledger.servedVersions(), "versions that answered users");
                ModelStatus end = serving.status();
                assertEquals(2, end.getActiveVersion(), end.toString());
                assertEquals(0, end.getPreviousVersion(), end.toString());
                assertServedBy(settings.servingUrl(), POLICY + "@2");
                assertCanaryPanelsHaveData(settings);
            } finally {
                control.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Trains both adapters on the same {@link #PAIRS} pairs (as chosen, and inverted), checks the offline precondition
     * and writes them as v1 (inverted) and v2 (honest), both children of the base (version 0).
     */
    private static void trainBoth(Path model, Path inverted, Path honest) throws Exception {
        long start = System.nanoTime();
        try (PolicyModel base = PolicyModel.open(model)) {
            CanaryAdapters adapters = new CanaryAdapters(base, SEED);
            List<PreferenceExample> pairs = adapters.honestPairs(PAIRS, SEED);
            long sampled = System.nanoTime();
            List<Prompt> fresh = new ArrayList<>();
            PromptGenerator prompts = new PromptGenerator(SEED ^ 0x5DEECE66DL);
            for (int i = 0; i < EVAL_PROMPTS; i++) {
                fresh.add(prompts.next());
            }
            try (LoraAdapter good = adapters.train(pairs, CanaryAdapters.recipe(), BATCH, HONEST_EPOCHS, SEED);
                 LoraAdapter bad = adapters.train(CanaryAdapters.inverted(pairs), CanaryAdapters.recipe(), BATCH,
                         INVERTED_EPOCHS, SEED)) {
                long trained = System.nanoTime();
                double baseRate = adapters.expectedThumbsUp(fresh, null, SEED + 17);
                double goodRate = adapters.expectedThumbsUp(fresh, good, SEED + 17);
                double badRate = adapters.expectedThumbsUp(fresh, bad, SEED + 17);
                long evaluated = System.nanoTime();
                System.out.printf("canary: offline expected thumbs-up on %d fresh prompts: base %.3f, honest adapter"
                                + " %.3f (%+.3f), inverted adapter %.3f (%+.3f); %d pairs sampled in %.0f s, both"
                                + " adapters trained in %.0f s, evaluated in %.0f s%n",
                        EVAL_PROMPTS, baseRate, goodRate, goodRate - baseRate, badRate, badRate - baseRate,
                        pairs.size(), (sampled - start) / 1e9, (trained - sampled) / 1e9, (evaluated - trained) / 1e9);
                // With a margin for other CPUs' rounding (sampled tokens may differ): the vote bound was set for the
                // measured rates, 2.1 δ below and 3.2 δ above the base.
                assertTrue(badRate <= baseRate - 1.5 * EFFECT, "precondition: the inverted adapter is worse than the"
                        + " base by 1.5 δ (" + EFFECT + "): base " + baseRate + ", inverted " + badRate);
                assertTrue(goodRate >= baseRate + 2 * EFFECT, "precondition: the honest adapter is better than the"
                        + " base by 2 δ (" + EFFECT + "): base " + baseRate + ", honest " + goodRate);
                adapters.write(bad, inverted, POLICY, 1, 0, pairs.size());
                adapters.write(good, honest, POLICY, 2, 0, pairs.size());
            }
        }
    }

    /** Pushes the checkpoint in {@code dir} as a live canary and returns the judge's decision on it. */
    private static CanaryDecision canary(Control serving, Path dir, KafkaConsumer<String, CanaryDecision> decisions,
                                         LocalStack stack) throws Exception {
        long start = System.nanoTime();
        PushCheckpointResponse pushed = serving.pushCanary(dir);
        assertEquals(Outcome.CANARY, pushed.getOutcome(), pushed.toString());
        ModelStatus status = serving.status();
        assertEquals(pushed.getVersion(), status.getCandidateVersion(), status.toString());
        String key = CanaryArm.key(POLICY, pushed.getVersion());
        List<CanaryDecision> seen = new ArrayList<>();
        Poll.until("the judge decides " + key, DECISION_TIMEOUT, () -> {
            for (ConsumerRecord<String, CanaryDecision> r : decisions.poll(Duration.ofMillis(200))) {
                if (r.key().equals(key)) {
                    seen.add(r.value());
                }
            }
            return !seen.isEmpty();
        }, () -> null);
        System.out.printf("canary: %s decided %.0f s after its push%n", key, (System.nanoTime() - start) / 1e9);
        return seen.get(0);
    }

    private static long votes(CanaryDecision d) {
        return d.candidateVotes() + d.parentVotes() + d.choices();
    }

    private static void report(String name, CanaryDecision d, VoteLedger ledger) {
        System.out.printf("canary: %s adapter v%d vs v%d: %s (%s) after %d votes: candidate %d/%d up (%.3f),"
                        + " parent %d/%d up (%.3f), A/B %d/%d won by the candidate; LLR %.2f in [%.2f, %.2f];"
                        + " users' honest thumbs on v%d overall %d/%d%n",
                name, d.candidateVersion(), d.parentVersion(), d.action(), d.reason(), votes(d), d.candidateUps(),
                d.candidateVotes(), d.candidateRate(), d.parentUps(), d.parentVotes(), d.parentRate(),
                d.candidateWins(), d.choices(), d.logLikelihoodRatio(), d.lowerBound(), d.upperBound(),
                d.candidateVersion(), ledger.tally(d.candidateVersion()).up(),
                ledger.tally(d.candidateVersion()).votes());
    }

    /** A plain request that names no version is answered by {@code expected}, in the body and the header. */
    private static void assertServedBy(String servingUrl, String expected) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(servingUrl + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + POLICY + "\",\"max_tokens\":8,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 3 + 5?\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Optional.of(expected), r.headers().firstValue("livedpo-model"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(expected, body.path("model").asText(), r.body());
    }

    /**
     * The dashboard's "Live canary" row names metrics the running apps export after a real canary: every metric its
     * queries name is on serving's or feedback's {@code /q/metrics} page now.
     */
    private static void assertCanaryPanelsHaveData(StackSettings settings) throws Exception {
        String exposition = get(settings.managementUrl(Service.SERVING) + "/q/metrics")
                + get(settings.managementUrl(Service.FEEDBACK) + "/q/metrics");
        Set<String> named = CanaryDashboard.metricNames(settings.home());
        assertTrue(named.size() >= 6, "metrics named by the Live canary row: " + named);
        List<String> missing = named.stream().filter(m -> !exposition.contains("\n" + m + "{")
                && !exposition.contains("\n" + m + " ")).toList();
        assertEquals(List.of(), missing, "named by the Live canary row but not exported");
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static KafkaConsumer<String, CanaryDecision> decisions(String bootstrap) {
        KafkaConsumer<String, CanaryDecision> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new JsonDeserializer<>(CanaryDecision.class));
        TopicPartition only = new TopicPartition(Topics.CANARY_DECISIONS, 0);
        c.assign(List.of(only));
        c.seekToBeginning(List.of(only));
        return c;
    }

    /** Serving's ModelControl, called as the trainer calls it: bearer token, signed archives. */
    private record Control(ManagedChannel channel, LocalStack.Secrets secrets) {

        PushCheckpointResponse pushCanary(Path dir) throws Exception {
            CheckpointMetadata meta = io.livedpo.policy.checkpoint.AdapterCheckpoint.readMetadata(dir);
            byte[] archive = CheckpointArchive.pack(dir);
            ArchiveHeader header = ArchiveHeader.of(meta, archive,
                    new ArchiveSignature(Optional.of(secrets.signingKey())), true).asCanary(true);
            ModelControlGrpc.ModelControlStub stub = ModelControlGrpc.newStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .withInterceptors(ControlToken.attach(Optional.of(secrets.controlToken())));
            return PushSender.push(stub, ArchiveFrames.push(header, archive)).get(90, TimeUnit.SECONDS);
        }

        ModelStatus status() {
            return ModelControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .withInterceptors(ControlToken.attach(Optional.of(secrets.controlToken())))
                    .status(StatusRequest.newBuilder().setPolicy(POLICY).build()).getPolicies(0);
        }
    }

    /** The metric names in the queries of the dashboard's "Live canary" row. */
    static final class CanaryDashboard {
        private static final Pattern METRIC = Pattern.compile("\\b(livedpo_[a-z0-9_]+)");

        static Set<String> metricNames(Path home) throws Exception {
            JsonNode dashboard = JSON.readTree(home.resolve("deploy/grafana/dashboards/livedpo.json").toFile());
            Set<String> names = new java.util.TreeSet<>();
            boolean inRow = false;
            for (JsonNode panel : dashboard.path("panels")) {
                if (panel.path("type").asText().equals("row")) {
                    inRow = panel.path("title").asText().equals("Live canary");
                    continue;
                }
                if (inRow) {
                    for (JsonNode target : panel.path("targets")) {
                        Matcher m = METRIC.matcher(target.path("expr").asText());
                        while (m.find()) {
                            names.add(m.group(1));
                        }
                    }
                }
            }
            return names;
        }
    }
}
