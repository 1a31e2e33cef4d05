package io.livedpo.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes the learning curve as {@code learning-curve.csv} and a self-contained {@code learning-curve.html}: inline
 * SVG, no scripts, no external resources, so it opens anywhere (and in CI artifacts) as it is.
 */
public final class LearningCurve {

    private static final int W = 720;
    private static final int H = 300;
    private static final int PAD = 48;

    private LearningCurve() {
    }

    public static void write(Path dir, List<VersionRow> rows) throws IOException {
        Files.createDirectories(dir);
        atomically(dir.resolve("learning-curve.csv"), csv(rows));
        atomically(dir.resolve("learning-curve.html"), html(rows));
    }

    static String csv(List<VersionRow> rows) {
        StringBuilder sb = new StringBuilder(
                "version,pairs_trained,votes,thumbs_up_rate,kl,feedback_to_serving_seconds\n");
        for (VersionRow r : rows) {
            sb.append(r.version()).append(',').append(r.pairsTrained()).append(',').append(r.votes()).append(',')
                    .append(num(r.thumbsUpRate())).append(',').append(num(r.kl())).append(',')
                    .append(num(r.feedbackToServingSeconds())).append('\n');
        }
        return sb.toString();
    }

    static String html(List<VersionRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>LiveDPO learning curve"
                + "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>\n");
        sb.append("<h1>LiveDPO learning curve</h1>\n<p>x axis: preference pairs trained (one point per model version)."
                + "</p>\n");
        sb.append("<h2>Thumbs-up rate of served answers</h2>\n<p>Bars: 95 % interval (Wilson) of each version's rate."
                + " A version gets tens to a few hundred votes, so its interval is wide: a dip that stays inside the"
                + " previous version's interval may be noise, not a regression.</p>\n")
                .append(svg(rows, VersionRow::thumbsUpRate, "#1f77b4", 0, 1, true));
        double maxKl = rows.stream().mapToDouble(VersionRow::kl).filter(Double::isFinite).max().orElse(1);
        sb.append("<h2>KL(policy &#8214; reference) estimate, nats</h2>\n")
                .append(svg(rows, VersionRow::kl, "#d62728", 0, Math.max(maxKl, 1e-6), false));
        sb.append("<h2>Versions</h2>\n<table><tr><th>version</th><th>pairs trained</th><th>votes</th>"
                + "<th>thumbs-up rate</th><th>95 % interval</th><th>KL</th><th>feedback to serving (s)</th></tr>\n");
        for (VersionRow r : rows) {
            sb.append("<tr><td>").append(r.version()).append("</td><td>").append(r.pairsTrained())
                    .append("</td><td>").append(r.votes()).append("</td><td>").append(num(r.thumbsUpRate()))
                    .append("</td><td>").append(interval(r)).append("</td><td>").append(num(r.kl())).append("</td><td>")
                    .append(num(r.feedbackToServingSeconds())).append("</td></tr>\n");
        }
        return sb.append("</table>\n</body></html>\n").toString();
    }

    private static String interval(VersionRow r) {
        WilsonInterval w = WilsonInterval.of(r.thumbsUpRate(), r.votes());
        return Double.isFinite(w.low()) ? num(w.low()) + " &#8211; " + num(w.high()) : "";
    }

    /** {@code band}: draw each point's 95 % Wilson interval (the y value is a rate over the row's votes). */
    private static String svg(List<VersionRow> rows, ToDoubleFunction<VersionRow> y, String color, double yMin,
                              double yMax, boolean band) {
        double xMax = Math.max(1, rows.stream().mapToLong(VersionRow::pairsTrained).max().orElse(1));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\">%n", W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>%n",
                PAD, H - PAD, W - PAD, H - PAD, PAD, PAD, PAD, H - PAD));
        sb.append(label(PAD - 6, H - PAD, "end", num(yMin))).append(label(PAD - 6, PAD + 4, "end", num(yMax)))
                .append(label(PAD, H - PAD + 16, "middle", "0"))
                .append(label(W - PAD, H - PAD + 16, "middle", String.valueOf((long) xMax)))
                .append(label(W / 2, H - 8, "middle", "pairs trained"));
        StringBuilder points = new StringBuilder();
        for (VersionRow r : rows) {
            double v = y.applyAsDouble(r);
            if (!Double.isFinite(v)) {
                continue;
            }
            double px = PAD + (W - 2.0 * PAD) * r.pairsTrained() / xMax;
            double py = H - PAD - (H - 2.0 * PAD) * (v - yMin) / (yMax - yMin);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            if (band) {
                WilsonInterval w = WilsonInterval.of(v, r.votes());
                double low = H - PAD - (H - 2.0 * PAD) * (w.low() - yMin) / (yMax - yMin);
                double high = H - PAD - (H - 2.0 * PAD) * (w.high() - yMin) / (yMax - yMin);
                sb.append(String.format(Locale.ROOT, "<line class=\"interval\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                        + "y2=\"%.1f\" stroke=\"%s\" stroke-opacity=\"0.5\" stroke-width=\"6\"><title>v%d: 95 %% "
                        + "interval %s to %s (%d votes)</title></line>%n", px, low, px, high, color, r.version(),
                        num(w.low()), num(w.high()), r.votes()));
            }
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>v%d: "
                    + "%s</title></circle>%n", px, py, color, r.version(), num(v)));
        }
        sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                + "points=\"%s\"/>%n", color, points.toString().trim()));
        return sb.append("</svg>\n").toString();
    }

    private static String label(int x, int y, String anchor, String text) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-size=\"12\">%s</text>",
                x, y, anchor, text);
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "";
    }

    private static void atomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
