package io.livedpo.policy.nd;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch autograd recording off for a block and restores the previous mode after. Recording is on by default on
 * every new thread; inference and optimiser updates must not build graphs (memory, and in-place updates of leaves).
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enabled) {
        this.previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    public static GradMode disabled() {
        return new GradMode(false);
    }

    /** For threads that only ever run inference (serving): switch recording off for good. */
    public static void disableOnThisThread() {
        JniUtils.setGradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
