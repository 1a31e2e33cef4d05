package io.livedpo.testing.logs;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log record of the process while installed, as text: logger, message, parameters and the whole cause chain of
 * an exception, so a secret anywhere in a record is found. Installed on the java.util.logging root, which is where
 * JBoss Logging (Quarkus), and so every library bridged to it, ends up.
 */
public final class CapturedLogs extends Handler implements AutoCloseable {

    private final Queue<String> records;

    private CapturedLogs(Queue<String> records) {
        this.records = records;
    }

    /** Starts capturing into {@code records} (a JDK type, so it can cross class loaders). */
    public static CapturedLogs install(Queue<String> records) {
        CapturedLogs handler = new CapturedLogs(records);
        Logger.getLogger("").addHandler(handler);
        return handler;
    }

    public static Queue<String> newQueue() {
        return new ConcurrentLinkedQueue<>();
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder b = new StringBuilder(String.valueOf(record.getLoggerName())).append(' ')
                .append(record.getMessage());
        if (record.getParameters() != null) {
            for (Object p : record.getParameters()) {
                b.append(' ').append(p);
            }
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            b.append(' ').append(t);
        }
        records.add(b.toString());
    }

    @Override
    public void flush() {
    }

    /** Stops capturing. */
    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
