package io.livedpo.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrometheusHistogramTest {

    private static final String NAME = "livedpo_serving_model_swap_duration_seconds";

    private static String page(int fast, int slow, double sum) {
        return "# HELP " + NAME + " swaps\n# TYPE " + NAME + " histogram\n"
                + NAME + "_bucket{application=\"s\",le=\"0.1\"} " + fast + "\n"
                + NAME + "_bucket{application=\"s\",le=\"0.5\"} " + (fast + slow) + "\n"
                + NAME + "_bucket{application=\"s\",le=\"+Inf\"} " + (fast + slow) + "\n"
                + NAME + "_count{application=\"s\"} " + (fast + slow) + "\n"
                + NAME + "_sum{application=\"s\"} " + sum + "\n"
                + "other_metric_bucket{le=\"0.1\"} 99\n";
    }

    @Test
    void theRunIsTheDifferenceOfTwoScrapesAndQuantilesInterpolateAsPromQl() {
        PrometheusHistogram before = PrometheusHistogram.parse(page(5, 0, 0.2), NAME);
        PrometheusHistogram after = PrometheusHistogram.parse(page(15, 10, 3.2), NAME);
        PrometheusHistogram run = after.minus(before);
        assertEquals(20, run.count());
        assertEquals(0.15, run.mean(), 1e-9);
        // 10 of 20 at or below 0.1 s: the median is the bucket's upper bound.
        assertEquals(0.1, run.quantile(0.5), 1e-9);
        // rank 19.8 lies 9.8/10 into (0.1, 0.5].
        assertEquals(0.1 + 0.4 * 0.98, run.quantile(0.99), 1e-9);
    }

    @Test
    void nothingObservedIsNotANumber() {
        PrometheusHistogram same = PrometheusHistogram.parse(page(5, 1, 1), NAME);
        assertTrue(Double.isNaN(same.minus(same).quantile(0.99)));
        assertTrue(Double.isNaN(PrometheusHistogram.parse("", NAME).quantile(0.5)));
    }
}
