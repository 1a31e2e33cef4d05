package io.livedpo.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One histogram of a Prometheus text page, summed over its label sets: cumulative bucket counts by upper bound,
 * count and sum. Two snapshots taken around a load run give that run's distribution ({@link #minus}), and
 * {@link #quantile} estimates a quantile as PromQL's {@code histogram_quantile} does (linear within a bucket).
 */
public record PrometheusHistogram(String name, TreeMap<Double, Double> buckets, double count, double sum) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+).*$");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    public static PrometheusHistogram parse(String page, String name) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        double count = 0;
        double sum = 0;
        for (String line : page.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.trim());
            if (!m.matches()) {
                continue;
            }
            double value = Double.parseDouble(m.group(3));
            String metric = m.group(1);
            if (metric.equals(name + "_bucket")) {
                Matcher le = LE.matcher(m.group(2) == null ? "" : m.group(2));
                if (le.find()) {
                    double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                    buckets.merge(bound, value, Double::sum);
                }
            } else if (metric.equals(name + "_count")) {
                count += value;
            } else if (metric.equals(name + "_sum")) {
                sum += value;
            }
        }
        return new PrometheusHistogram(name, buckets, count, sum);
    }

    /** Fetches the page ({@code Accept: text/plain}, the Prometheus text format) and parses {@code name}. */
    public static PrometheusHistogram scrape(String url, String name) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode());
            }
            return parse(r.body(), name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read metrics from " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What was observed between {@code earlier} and this snapshot. */
    public PrometheusHistogram minus(PrometheusHistogram earlier) {
        TreeMap<Double, Double> delta = new TreeMap<>();
        buckets.forEach((le, n) -> delta.put(le, n - earlier.buckets.getOrDefault(le, 0.0)));
        return new PrometheusHistogram(name, delta, count - earlier.count, sum - earlier.sum);
    }

    /** NaN when nothing was observed or the metric has no buckets. */
    public double quantile(double q) {
        Map.Entry<Double, Double> last = buckets.lastEntry();
        if (last == null || last.getValue() <= 0) {
            return Double.NaN;
        }
        double rank = q * last.getValue();
        double lowerBound = 0;
        double below = 0;
        for (Map.Entry<Double, Double> b : buckets.entrySet()) {
            if (b.getValue() >= rank) {
                if (b.getKey().isInfinite()) {
                    return lowerBound; // as histogram_quantile: the highest finite bound
                }
                double inBucket = b.getValue() - below;
                return inBucket <= 0 ? b.getKey()
                        : lowerBound + (b.getKey() - lowerBound) * (rank - below) / inBucket;
            }
            lowerBound = b.getKey();
            below = b.getValue();
        }
        return lowerBound;
    }

    public double mean() {
        return count > 0 ? sum / count : Double.NaN;
    }
}
