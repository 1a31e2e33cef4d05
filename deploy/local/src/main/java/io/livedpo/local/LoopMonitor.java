package io.livedpo.local;

import io.livedpo.events.CheckpointAnnouncement;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the trainer's announcements and the simulated users' votes into the learning curve. A version's row is
 * emitted once the next version is announced (its answers are all in by then, give or take requests in flight), and
 * the last one on {@link #close}; each emission rewrites the CSV and HTML in the data dir.
 */
public final class LoopMonitor implements AutoCloseable {

    private static final Pattern TRAINER_KL = Pattern.compile(
            "^livedpo_trainer_kl\\{[^}]*policy=\"([^\"]+)\"[^}]*}\\s+(\\S+)", Pattern.MULTILINE);

    private final String policy;
    private final VoteLedger ledger;
    private final Path curveDir;
    /** The trainer's management interface, where its metrics are. */
    private final String trainerUrl;
    private final Consumer<VersionRow> onRow;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Version → announcement, KL resolved; version 0 (the base) has none. */
    private final Map<Long, Announced> announced = new TreeMap<>();
    private final List<VersionRow> emitted = new ArrayList<>();
    private final CheckpointWatcher follower;

    private record Announced(CheckpointAnnouncement announcement, double kl) {
    }

    public LoopMonitor(String bootstrapServers, String policy, VoteLedger ledger, Path curveDir, String trainerUrl,
                       Consumer<VersionRow> onRow) {
        this.policy = policy;
        this.ledger = ledger;
        this.curveDir = curveDir;
        this.trainerUrl = trainerUrl;
        this.onRow = onRow;
        this.follower = new CheckpointWatcher(bootstrapServers, this::announced);
    }

    private void announced(CheckpointAnnouncement a) {
        if (!a.policy().equals(policy)) {
            return;
        }
        double kl = klOf(a);
        synchronized (this) {
            if (announced.containsKey(a.version())) {
                return; // compaction or a re-announcement after a trainer restart
            }
            announced.put(a.version(), new Announced(a, kl));
            long next = emitted.isEmpty() ? 0 : emitted.get(emitted.size() - 1).version() + 1;
            for (long v : versionsUpTo(a.version())) {
                if (v >= next && v < a.version()) {
                    emit(row(v));
                }
            }
        }
    }

    private List<Long> versionsUpTo(long exclusiveMax) {
        List<Long> vs = new ArrayList<>();
        vs.add(0L);
        announced.keySet().stream().filter(v -> v > 0 && v < exclusiveMax).forEach(vs::add);
        return vs;
    }

    /**
     * The trainer's KL estimate: the announcement's {@code kl} metric when it carries one, else the trainer's
     * {@code livedpo_trainer_kl} gauge read now (it is set just before the checkpoint is published).
     */
    private double klOf(CheckpointAnnouncement a) {
        Double kl = a.metrics().get("kl");
        if (kl != null) {
            return kl;
        }
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(trainerUrl + "/q/metrics"))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            Matcher m = TRAINER_KL.matcher(http.send(r, HttpResponse.BodyHandlers.ofString()).body());
            while (m.find()) {
                if (m.group(1).equals(policy)) {
                    return Double.parseDouble(m.group(2));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Double.NaN;
    }

    private VersionRow row(long version) {
        VoteLedger.Tally t = ledger.tally(version);
        Announced a = announced.get(version);
        if (a == null) {
            return new VersionRow(0, 0, t.votes(), t.upRate(), 0, Double.NaN);
        }
        Instant served = ledger.firstServed(version);
        Instant feedback = a.announcement().newestFeedbackAt();
        double latency = served != null && feedback != null
                ? Duration.between(feedback, served).toMillis() / 1000.0 : Double.NaN;
        return new VersionRow(version, a.announcement().pairsTrained(), t.votes(), t.upRate(), a.kl(), latency);
    }

    private void emit(VersionRow row) {
        emitted.add(row);
        onRow.accept(row);
        try {
            LearningCurve.write(curveDir, emitted);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the learning curve to " + curveDir, e);
        }
    }

    /** Every version so far with its current numbers (the newest still collecting votes). */
    public synchronized List<VersionRow> snapshot() {
        List<VersionRow> rows = new ArrayList<>();
        rows.add(row(0));
        announced.keySet().forEach(v -> rows.add(row(v)));
        return rows;
    }

    /** Emits the versions not yet emitted (the newest one), so the curve on disk is complete. */
    @Override
    public void close() throws InterruptedException {
        follower.close();
        synchronized (this) {
            long next = emitted.isEmpty() ? 0 : emitted.get(emitted.size() - 1).version() + 1;
            for (VersionRow r : snapshot()) {
                if (r.version() >= next) {
                    emit(r);
                }
            }
        }
    }
}
