package io.livedpo.policy.model;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The threads the Java kernels share (as many as PyTorch's intra-op threads, {@code ai.djl.pytorch.num_threads}):
 * a range of work is split into chunks that the caller and the pool's threads claim one at a time, so a pool thread
 * that gets no core (services sharing two cores) delays nothing: the caller takes the chunks it has not started.
 */
public final class KernelPool {

    /** A share of the work: items [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** Below this many multiply-adds a hand-off to another thread costs more than it saves. */
    public static final long PARALLEL_WORK = 1L << 18;
    /** Chunks per thread: small enough that the caller can finish a starved thread's share. */
    private static final int CHUNKS_PER_THREAD = 4;

    static final int THREADS = Math.max(1,
            Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
    /** The pool's threads beside the caller; package-visible so a test can starve them. */
    static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "livedpo-kernel");
        t.setDaemon(true);
        return t;
    });

    private KernelPool() {
    }

    /**
     * Runs {@code task} over items [0, items), split between the caller and the pool when {@code work} (multiply-adds
     * or the like) is worth it, else on the caller alone. Returns when every item is done.
     */
    public static void run(int items, long work, Range task) {
        if (POOL == null || work < PARALLEL_WORK || items < 2) {
            task.run(0, items);
            return;
        }
        int chunks = Math.min(items, CHUNKS_PER_THREAD * THREADS);
        int size = (items + chunks - 1) / chunks;
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(chunks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable claim = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    task.run(Math.min(items, c * size), Math.min(items, (c + 1) * size));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int i = 1; i < THREADS; i++) {
            POOL.execute(claim);
        }
        claim.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a kernel", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("kernel failed", failure.get());
        }
    }
}
