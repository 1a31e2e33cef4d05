package io.livedpo.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.events.CheckpointAnnouncement;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.JsonDeserializer;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks the topics and the trainer's checkpoints against the simulated users' {@link VoteLedger} after a chaos run:
 * every vote answered 202 is on {@code livedpo.feedback.v1} exactly once (by {@code feedback_id}) and is paired,
 * joined and unpaired, or unmatched (see {@link ChaosReport}); every pair on {@code livedpo.pairs.v1} is there once
 * and is covered by exactly one checkpoint (by pair id: the {@code pairIds} and {@code skippedPairIds} the trainer
 * writes into each checkpoint's {@code livedpo.json} attributes), which the newest announced version descends from;
 * the newest checkpoint is announced and every serving replica serves it; chat failures stay within what the down
 * time of a replica explains.
 *
 * <p>The trainer deletes old checkpoints ({@code livedpo.trainer.checkpoint.keep}); the chaos stack keeps them all,
 * since they are the record of which pair went where.
 */
public final class Reconciliation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSION_DIR = Pattern.compile("v([1-9][0-9]*)");

    private final StackSettings settings;
    private final String bootstrapServers;
    private final String policy;
    private final UserTraffic.Settings traffic;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Reconciliation(StackSettings settings, String bootstrapServers, String policy,
                          UserTraffic.Settings traffic) {
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
        this.policy = policy;
        this.traffic = traffic;
    }

    /** A checkpoint as its livedpo.json describes it: its parent and the pairs it consumed. */
    record Checkpoint(long version, long parent, List<String> pairIds, List<String> skippedPairIds) {
    }

    /**
     * Waits (load stopped) until the loop has settled — every pair on the topic in a checkpoint, the newest
     * checkpoint announced and served by every replica — or the deadline passes; then reconciles. Not settling is
     * reported as problems, not thrown.
     */
    public ChaosReport settleAndReconcile(VoteLedger ledger, List<FaultPhase> phases, Instant runStart,
                                          Instant runEnd, Duration deadline) {
        try {
            Poll.until("the loop settles", deadline, this::settled, () -> null);
        } catch (IllegalStateException notSettled) {
            // reconcile anyway: the report names what did not settle
        }
        return reconcile(ledger, phases, runStart, runEnd);
    }

    private boolean settled() {
        Map<Long, Checkpoint> checkpoints = checkpoints();
        Set<String> covered = checkpoints.values().stream()
                .flatMap(c -> Stream.concat(c.pairIds().stream(), c.skippedPairIds().stream()))
                .collect(Collectors.toSet());
        List<PreferencePair> pairs = policyPairs();
        long newest = newestAnnounced();
        long stored = checkpoints.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        return pairs.stream().allMatch(p -> covered.contains(p.pairId())) && newest == stored
                && replicaVersions().values().stream().allMatch(v -> v == newest);
    }

    /** What the reconciliation reads: the topics, the checkpoints, the replicas. */
    record Evidence(List<FeedbackEvent> feedback, Set<String> responseIds, List<PreferencePair> pairs,
                    Map<Long, Checkpoint> checkpoints, long newestAnnounced, Map<String, Long> replicaVersions) {
    }

    public ChaosReport reconcile(VoteLedger ledger, List<FaultPhase> phases, Instant runStart, Instant runEnd) {
        Evidence evidence = new Evidence(
                TopicAudit.readAll(bootstrapServers, Topics.FEEDBACK, new JsonDeserializer<>(FeedbackEvent.class)),
                TopicAudit.readAll(bootstrapServers, Topics.RESPONSES, new JsonDeserializer<>(ResponseEvent.class))
                        .stream().map(ResponseEvent::responseId).collect(Collectors.toSet()),
                policyPairs(), checkpoints(), newestAnnounced(), replicaVersions());
        return audit(evidence, ledger, phases, runStart, runEnd, traffic);
    }

    /** The checks, on what was read: no I/O, so each check can be shown to fail on planted evidence. */
    static ChaosReport audit(Evidence evidence, VoteLedger ledger, List<FaultPhase> phases, Instant runStart,
                             Instant runEnd, UserTraffic.Settings traffic) {
        List<String> problems = new ArrayList<>();

        // Votes: on the feedback topic exactly once, then paired / joined / unmatched.
        Map<String, Long> onTopic = evidence.feedback().stream()
                .collect(Collectors.groupingBy(FeedbackEvent::feedbackId, Collectors.counting()));
        Set<String> responses = evidence.responseIds();
        List<PreferencePair> pairs = evidence.pairs();
        Set<String> pairedResponses = new HashSet<>();
        Set<String> pairIdsOnTopic = new HashSet<>();
        pairs.forEach(p -> {
            pairedResponses.add(p.chosenResponseId());
            pairedResponses.add(p.rejectedResponseId());
            pairIdsOnTopic.add(p.pairId());
        });
        List<VoteLedger.AcceptedVote> votes = ledger.acceptedVotes();
        Set<String> lostVotes = new HashSet<>();
        Set<String> duplicatedVotes = new HashSet<>();
        long paired = 0;
        long joined = 0;
        long unmatched = 0;
        for (VoteLedger.AcceptedVote v : votes) {
            long n = onTopic.getOrDefault(v.feedbackId(), 0L);
            if (n == 0) {
                lostVotes.add(v.feedbackId());
                continue;
            }
            if (n > 1) {
                duplicatedVotes.add(v.feedbackId());
            }
            boolean isPaired = v.responseIds().size() == 2
                    ? pairIdsOnTopic.contains(PreferencePair.idOf(v.responseIds().get(0), v.responseIds().get(1)))
                    : pairedResponses.contains(v.responseIds().get(0));
            if (isPaired) {
                paired++;
            } else if (responses.containsAll(v.responseIds())) {
                joined++;
            } else {
                unmatched++;
            }
        }
        if (!lostVotes.isEmpty()) {
            problems.add(lostVotes.size() + " accepted votes are not on " + Topics.FEEDBACK + ", e.g. "
                    + lostVotes.iterator().next());
        }
        if (!duplicatedVotes.isEmpty()) {
            problems.add(duplicatedVotes.size() + " accepted votes are on " + Topics.FEEDBACK + " more than once");
        }

        // Pairs: once on the topic, in exactly one checkpoint, on the lineage of the newest announced version.
        Map<String, Long> pairCounts = pairs.stream()
                .collect(Collectors.groupingBy(PreferencePair::pairId, Collectors.counting()));
        Map<Long, Checkpoint> checkpoints = evidence.checkpoints();
        Map<String, List<Long>> coveredBy = new HashMap<>();
        Set<String> skipped = new HashSet<>();
        checkpoints.values().forEach(c -> {
            c.pairIds().forEach(id -> coveredBy.computeIfAbsent(id, k -> new ArrayList<>()).add(c.version()));
            c.skippedPairIds().forEach(id -> coveredBy.computeIfAbsent(id, k -> new ArrayList<>()).add(c.version()));
            skipped.addAll(c.skippedPairIds());
        });
        long newest = evidence.newestAnnounced();
        Set<Long> lineage = lineage(checkpoints, newest);
        Set<String> duplicatedOnTopic = keysWhere(pairCounts, n -> n > 1);
        Set<String> trainedTwice = new HashSet<>();
        Set<String> uncovered = new HashSet<>();
        Set<String> offLineage = new HashSet<>();
        for (String id : pairCounts.keySet()) {
            List<Long> in = coveredBy.getOrDefault(id, List.of());
            if (in.isEmpty()) {
                uncovered.add(id);
            } else if (in.size() > 1) {
                trainedTwice.add(id);
            } else if (!lineage.contains(in.get(0))) {
                offLineage.add(id);
            }
        }
        if (!duplicatedOnTopic.isEmpty()) {
            problems.add(duplicatedOnTopic.size() + " pairs are on " + Topics.PAIRS + " more than once");
        }
        if (!trainedTwice.isEmpty()) {
            String id = trainedTwice.iterator().next();
            problems.add(trainedTwice.size() + " pairs are in more than one checkpoint, e.g. " + id + " in "
                    + coveredBy.get(id));
        }
        if (!uncovered.isEmpty()) {
            problems.add(uncovered.size() + " pairs on " + Topics.PAIRS + " are in no checkpoint");
        }
        if (!offLineage.isEmpty()) {
            problems.add(offLineage.size() + " pairs are in a checkpoint the newest announced version v" + newest
                    + " does not descend from");
        }
        long stored = checkpoints.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        if (stored != newest) {
            problems.add("the newest checkpoint is v" + stored + " but the newest announced is v" + newest);
        }
        Map<String, Long> replicas = evidence.replicaVersions();
        replicas.forEach((url, v) -> {
            if (v != newest) {
                problems.add("serving replica " + url + " serves v" + v + ", not the newest v" + newest);
            }
        });

        List<FaultRow> rows = rows(ledger, votes, phases, runStart, runEnd, lostVotes, duplicatedVotes, pairs,
                union(duplicatedOnTopic, trainedTwice), traffic);
        for (FaultRow r : rows) {
            if (r.chatFailures() > r.chatFailureBound()) {
                problems.add(r.fault() + ": " + r.chatFailures() + " chat failures, more than the "
                        + r.chatFailureBound() + " its down time explains");
            }
        }
        return new ChaosReport(rows, votes.size(), votes.size() - lostVotes.size(), lostVotes.size(),
                duplicatedVotes.size(), paired, joined, unmatched, pairCounts.size(), duplicatedOnTopic.size(),
                trainedTwice.size(), uncovered.size(), skipped.size(), newest, stored, replicas, problems);
    }

    private static List<FaultRow> rows(VoteLedger ledger, List<VoteLedger.AcceptedVote> votes,
                                       List<FaultPhase> phases, Instant runStart, Instant runEnd, Set<String> lost,
                                       Set<String> duplicated, List<PreferencePair> pairs,
                                       Set<String> duplicatedPairs, UserTraffic.Settings traffic) {
        List<Instant> answers = ledger.chatAnswers();
        List<VoteLedger.ChatFailure> failures = ledger.chatFailureLog();
        List<FaultRow> rows = new ArrayList<>();
        for (FaultPhase phase : phases) {
            rows.add(row(phase.fault().label(), phase::contains, phase.length(), phase.down(), answers, votes,
                    failures, lost, duplicated, pairs, duplicatedPairs, bound(phase, traffic)));
        }
        // Everything outside the faults (warm-up and the load between them): nothing was down, so no failure is owed.
        Predicate<Instant> steady = t -> !t.isBefore(runStart) && t.isBefore(runEnd)
                && phases.stream().noneMatch(p -> p.contains(t));
        Duration steadyLength = Duration.between(runStart, runEnd)
                .minus(phases.stream().map(FaultPhase::length).reduce(Duration.ZERO, Duration::plus));
        rows.add(row("steady", steady, steadyLength, Duration.ZERO, answers, votes, failures, lost, duplicated, pairs,
                duplicatedPairs, 0));
        return rows;
    }

    private static FaultRow row(String name, Predicate<Instant> in, Duration length, Duration down,
                                List<Instant> answers, List<VoteLedger.AcceptedVote> votes,
                                List<VoteLedger.ChatFailure> failures, Set<String> lost, Set<String> duplicated,
                                List<PreferencePair> pairs, Set<String> duplicatedPairs, long bound) {
        double seconds = Math.max(length.toMillis() / 1000.0, 1e-3);
        List<VoteLedger.AcceptedVote> mine = votes.stream().filter(v -> in.test(v.at())).toList();
        long dupPairs = pairs.stream().filter(p -> in.test(p.createdAt()) && duplicatedPairs.contains(p.pairId()))
                .map(PreferencePair::pairId).distinct().count();
        return new FaultRow(name, seconds, down.toMillis() / 1000.0,
                answers.stream().filter(in).count() / seconds, mine.size() / seconds, true, mine.size(),
                mine.stream().filter(v -> lost.contains(v.feedbackId())).count(),
                mine.stream().filter(v -> duplicated.contains(v.feedbackId())).count(), dupPairs,
                failures.stream().filter(f -> in.test(f.at())).count(), bound);
    }

    /**
     * A killed replica gets its round-robin share of the interactions while it is down, each failing at once, plus
     * the requests it held when it died (at most one per worker). Nothing else may fail.
     */
    private static long bound(FaultPhase phase, UserTraffic.Settings traffic) {
        if (phase.downReplica() == null) {
            return 0;
        }
        double share = traffic.ratePerSecond() / traffic.servingUrls().size();
        return (long) Math.ceil(share * phase.down().toMillis() / 1000.0) + traffic.workers();
    }

    private List<PreferencePair> policyPairs() {
        return TopicAudit.readAll(bootstrapServers, Topics.PAIRS, new JsonDeserializer<>(PreferencePair.class))
                .stream().filter(p -> p.policy().equals(policy)).toList();
    }

    private long newestAnnounced() {
        return TopicAudit.readAll(bootstrapServers, Topics.CHECKPOINTS,
                        new JsonDeserializer<>(CheckpointAnnouncement.class)).stream()
                .filter(a -> a.policy().equals(policy)).mapToLong(CheckpointAnnouncement::version).max().orElse(0);
    }

    /** Every checkpoint in the trainer's store ({@code <data>/trainer/checkpoints/<policy>/v<n>/livedpo.json}). */
    Map<Long, Checkpoint> checkpoints() {
        Path dir = settings.dataDir().resolve("trainer").resolve("checkpoints").resolve(policy);
        Map<Long, Checkpoint> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path p : children.toList()) {
                Matcher m = VERSION_DIR.matcher(p.getFileName().toString());
                Path meta = p.resolve("livedpo.json");
                if (m.matches() && Files.isRegularFile(meta)) {
                    JsonNode json = JSON.readTree(meta.toFile());
                    JsonNode attributes = json.path("attributes");
                    out.put(Long.parseLong(m.group(1)), new Checkpoint(json.path("version").asLong(),
                            json.path("parentVersion").asLong(), strings(attributes.path("pairIds")),
                            strings(attributes.path("skippedPairIds"))));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the checkpoints in " + dir, e);
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The newest announced version and its ancestors (0, the base, has none). */
    private static Set<Long> lineage(Map<Long, Checkpoint> checkpoints, long newest) {
        Set<Long> out = new HashSet<>();
        for (long v = newest; v > 0 && out.add(v); ) {
            Checkpoint c = checkpoints.get(v);
            if (c == null) {
                break;
            }
            v = c.parent();
        }
        return out;
    }

    /** Each serving replica's active version of the policy; -1 when it does not answer. */
    Map<String, Long> replicaVersions() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String url : settings.servingUrls()) {
            out.put(url, version(url));
        }
        return out;
    }

    private long version(String url) {
        return servedVersion(http, url, policy);
    }

    /**
     * The version of {@code policy} the replica at {@code url} serves ({@code GET /v1/models}); -1 when it does not
     * answer.
     */
    static long servedVersion(HttpClient http, String url, String policy) {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/v1/models")).timeout(Duration.ofSeconds(3))
                    .GET().build();
            for (JsonNode m : JSON.readTree(http.send(r, HttpResponse.BodyHandlers.ofString()).body()).path("data")) {
                if (m.path("id").asText().equals(policy)) {
                    return Long.parseLong(m.path("version").asText());
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static <K> Set<K> keysWhere(Map<K, Long> counts, Predicate<Long> test) {
        return counts.entrySet().stream().filter(e -> test.test(e.getValue())).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }
}
