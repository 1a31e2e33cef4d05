package io.livedpo.policy.lora;

import io.livedpo.policy.model.WrappedProjection;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.livedpo.policy.model.Projection;
import io.livedpo.policy.nd.Scalars;
import java.util.List;

/**
 * A base projection with a different LoRA update per group of rows (Punica's segmented gather matmul): y = base(x),
 * then for each segment y[rows] += x[rows]·Aᵀ·Bᵀ·(alpha/r). Inference only: it updates y in place.
 */
record SegmentedLoraProjection(Projection base, List<Segment> segments) implements WrappedProjection {

    /** One adapter's rows and its A [r, in], B [out, r] for this projection. */
    record Segment(MixedLora.Group group, LoraAdapter.Pair pair, float scaling) {
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = base.forward(x); // [B, T, out]
        for (Segment s : segments) {
            MixedLora.Group g = s.group();
            NDIndex rows = g.rows() == null ? new NDIndex("{}:{}", g.from(), g.to()) : new NDIndex("{}", g.rows());
            NDArray xs = x.get(rows); // [Bg, T, in]
            NDArray down = xs.matMul(s.pair().a().transpose()); // [Bg, T, r]
            NDArray delta = Scalars.mul(down.matMul(s.pair().b().transpose()), s.scaling()); // [Bg, T, out]
            y.set(rows, y.get(rows).add(delta));
        }
        return y;
    }
}
