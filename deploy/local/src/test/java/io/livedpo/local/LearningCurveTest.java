package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningCurveTest {

    private static final List<VersionRow> ROWS = List.of(
            new VersionRow(0, 0, 120, 0.30, 0, Double.NaN),
            new VersionRow(1, 64, 110, 0.42, 0.8, 3.5),
            new VersionRow(2, 128, 0, Double.NaN, 1.6, Double.NaN));

    @Test
    void csvHasOneRowPerVersionAndEmptyCellsForUnknowns(@TempDir Path dir) throws Exception {
        LearningCurve.write(dir, ROWS);
        List<String> lines = Files.readAllLines(dir.resolve("learning-curve.csv"));
        assertEquals("version,pairs_trained,votes,thumbs_up_rate,kl,feedback_to_serving_seconds", lines.get(0));
        assertEquals("1,64,110,0.4200,0.8000,3.5000", lines.get(2));
        assertEquals("2,128,0,,1.6000,", lines.get(3));
    }

    @Test
    void htmlIsSelfContained(@TempDir Path dir) throws Exception {
        LearningCurve.write(dir, ROWS);
        String html = Files.readString(dir.resolve("learning-curve.html"));
        assertTrue(html.contains("<svg"));
        assertTrue(html.contains("<polyline"));
        assertFalse(html.contains("<script"), "no scripts");
        // The only URL is the SVG namespace, which is an identifier and is never fetched.
        assertFalse(html.replace("http://www.w3.org/2000/svg", "").contains("http"), "no external resources");
    }
}
