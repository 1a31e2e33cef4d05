package io.livedpo.local;

/**
 * The 95 % Wilson score interval of a rate from {@code n} votes: unlike rate ± 1.96·se it stays inside [0, 1] and is
 * honest for small n. The same formula backs the dashboard's band (livedpo:thumbs_up_wilson_*:ratio).
 */
public record WilsonInterval(double low, double high) {

    private static final double Z = 1.96;

    /** NaN bounds without votes. */
    public static WilsonInterval of(double rate, long n) {
        if (n <= 0 || !Double.isFinite(rate)) {
            return new WilsonInterval(Double.NaN, Double.NaN);
        }
        double z2 = Z * Z;
        double centre = rate + z2 / (2.0 * n);
        double spread = Z * Math.sqrt(rate * (1 - rate) / n + z2 / (4.0 * n * n));
        double scale = 1 + z2 / n;
        return new WilsonInterval((centre - spread) / scale, (centre + spread) / scale);
    }
}
