package io.livedpo.cli;

import java.io.PrintStream;

/** A one-line progress bar on stderr, drawn only when a person is watching a terminal. */
final class Progress {

    private static final int WIDTH = 30;

    private final PrintStream err = System.err;
    // Java 17 has a Console only when stdin and stdout are a terminal: then someone is watching.
    private final boolean enabled = System.console() != null;
    private final long total;
    private final String label;

    Progress(String label, long total) {
        this.label = label;
        this.total = total;
    }

    void update(long done, String status) {
        if (!enabled) {
            return;
        }
        int filled = (int) (WIDTH * done / Math.max(1, total));
        err.printf("\r%s [%s%s] %d/%d %s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), done, total, status);
        if (done >= total) {
            err.println();
        }
        err.flush();
    }
}
