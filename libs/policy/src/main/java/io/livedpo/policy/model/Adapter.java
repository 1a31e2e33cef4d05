package io.livedpo.policy.model;

/**
 * A per-call change of a model's projections, as PEFT injects LoRA: each projection is offered to {@link #wrap} and
 * replaced by what it returns. The base weights stay shared, so a forward without an adapter is the DPO reference.
 */
public interface Adapter {

    /** The projection to use in place of {@code base}: {@code base} itself when this adapter does not target it. */
    Projection wrap(Projection base);
}
