package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Row lookup in an embedding table (wte, wpe, embed_tokens), differentiable in the table. */
final class Embedding {

    private Embedding() {
    }

    /** @param ids [B, T] int64 @param table [N, C] @return [B, T, C] */
    static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
