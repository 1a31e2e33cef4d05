package io.livedpo.policy.model;

/** What batching, generation, scoring and training need to know of any causal LM's hyper-parameters. */
public interface LmConfig {

    /** Columns of the logits. */
    int vocabSize();

    /** The longest sequence the model may see (n_positions, max_position_embeddings). */
    int contextLength();

    /** Hidden width C of the residual stream. */
    int embedDim();

    /** Transformer blocks: one KV-cache layer each. */
    int layers();

    int bosTokenId();

    /** The end-of-sequence id generation stops on and padding uses. */
    int eosTokenId();

    /** Every weight in the model, a tied output head counted once. */
    long parameterCount();

    /** Weights multiplied with each token's activations in a forward (projections and output head): FLOPs/token/2. */
    long matmulParameters();

    /** Query heads x head dim: the width of the attention scores' inner product, for counting attention FLOPs. */
    int attentionWidth();
}
