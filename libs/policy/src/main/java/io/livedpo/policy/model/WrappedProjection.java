package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;

/**
 * A projection that changes how {@link #forward} computes but is otherwise its {@code base}: path, shape and the
 * stored weight all come from there (LoRA's wrappers, the bf16 base).
 */
public interface WrappedProjection extends Projection {

    Projection base();

    @Override
    default String path() {
        return base().path();
    }

    @Override
    default long inFeatures() {
        return base().inFeatures();
    }

    @Override
    default long outFeatures() {
        return base().outFeatures();
    }

    @Override
    default NDArray weight() {
        return base().weight();
    }

    @Override
    default NDArray weightPlus(NDArray deltaOutIn) {
        return base().weightPlus(deltaOutIn);
    }

    @Override
    default boolean fanInFanOut() {
        return base().fanInFanOut();
    }
}
