package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WilsonIntervalTest {

    @Test
    void matchesTheTextbookValues() {
        // 70 up of 100: [0.6041, 0.7811]; 0 of 10 still has a width: [0, 0.2775].
        WilsonInterval w = WilsonInterval.of(0.7, 100);
        assertEquals(0.6041, w.low(), 1e-4);
        assertEquals(0.7811, w.high(), 1e-4);
        WilsonInterval none = WilsonInterval.of(0.0, 10);
        assertEquals(0.0, none.low(), 1e-9);
        assertEquals(0.2775, none.high(), 1e-4);
    }

    @Test
    void noVotesNoInterval() {
        assertTrue(Double.isNaN(WilsonInterval.of(Double.NaN, 0).low()));
    }

    @Test
    void theCurveShowsEachVersionsIntervalAndSaysADipMayBeNoise(@TempDir Path dir) throws Exception {
        LearningCurve.write(dir, List.of(new VersionRow(0, 0, 120, 0.40, 0, Double.NaN),
                new VersionRow(1, 64, 60, 0.35, 0.5, 3.0)));
        String html = Files.readString(dir.resolve("learning-curve.html"));
        assertTrue(html.contains("may be noise"), "the page explains the intervals");
        assertEquals(2, html.split("class=\"interval\"", -1).length - 1, "one interval bar per version with votes");
        WilsonInterval v1 = WilsonInterval.of(0.35, 60);
        assertTrue(html.contains(LearningCurve.num(v1.low()) + " &#8211; " + LearningCurve.num(v1.high())),
                "the table gives the interval");
    }
}
