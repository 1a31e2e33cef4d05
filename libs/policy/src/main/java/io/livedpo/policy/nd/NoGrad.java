package io.livedpo.policy.nd;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch autograd recording off for a try-with-resources block and restores the previous mode,
 * like {@code torch.no_grad()}. DJL's PyTorch engine keeps grad mode off outside a GradientCollector,
 * but only on the thread that loaded the engine (torch's grad mode is thread-local and defaults to on),
 * and updates are often made while a collector is still open; in-place ops on a leaf that requires
 * grad fail under grad mode.
 */
public final class NoGrad implements AutoCloseable {

    static {
        // JniUtils needs the native library, which loading the engine does.
        Engine.getEngine("PyTorch");
    }

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
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
