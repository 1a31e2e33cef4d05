package io.livedpo.serving.support;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads: background work that must never keep the JVM alive past Quarkus' shutdown. */
public final class Daemons {

    private Daemons() {
    }

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public static Thread start(String name, Runnable work) {
        Thread t = named(name).newThread(work);
        t.start();
        return t;
    }
}
