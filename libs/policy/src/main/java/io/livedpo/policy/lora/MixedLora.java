package io.livedpo.policy.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.livedpo.policy.model.Adapter;
import io.livedpo.policy.model.Projection;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of one forward that use different LoRA adapters over the shared base weights, as S-LoRA and Punica batch them:
 * every projection runs the base once for all rows, then each adapter's low-rank update for its own rows only
 * (segmented: the rows of one adapter gathered, multiplied by that adapter's A and B, added back). Rows without an
 * adapter (the base, version 0) cost no LoRA work. One per step: it holds the step's row groups.
 */
public final class MixedLora implements Adapter {

    /** The rows of one adapter: a consecutive range [from, to) when they are, else an index array. */
    record Group(LoraAdapter adapter, int from, int to, NDArray rows) {
    }

    private final List<Group> groups;

    private MixedLora(List<Group> groups) {
        this.groups = groups;
    }

    /**
     * The adapter for rows that use {@code rowAdapters} (null = the base): the single adapter itself (or null) when
     * all rows share one, so a uniform batch costs exactly what it did before.
     *
     * @param m where the row index arrays go (the step's scope)
     */
    public static Adapter of(List<LoraAdapter> rowAdapters, NDManager m) {
        LoraAdapter first = rowAdapters.get(0);
        if (rowAdapters.stream().allMatch(a -> a == first)) {
            return first;
        }
        Map<LoraAdapter, List<Integer>> rowsOf = new IdentityHashMap<>();
        List<LoraAdapter> order = new ArrayList<>();
        for (int r = 0; r < rowAdapters.size(); r++) {
            LoraAdapter a = rowAdapters.get(r);
            if (a != null) {
                rowsOf.computeIfAbsent(a, x -> {
                    order.add(x);
                    return new ArrayList<>();
                }).add(r);
            }
        }
        List<Group> groups = new ArrayList<>();
        for (LoraAdapter a : order) {
            List<Integer> rows = rowsOf.get(a);
            int from = rows.get(0);
            int to = rows.get(rows.size() - 1) + 1;
            boolean consecutive = to - from == rows.size();
            NDArray index = consecutive ? null : m.create(rows.stream().mapToLong(Integer::longValue).toArray());
            groups.add(new Group(a, from, to, index));
        }
        return new MixedLora(groups);
    }

    @Override
    public Projection wrap(Projection base) {
        List<SegmentedLoraProjection.Segment> segments = new ArrayList<>();
        for (Group g : groups) {
            LoraAdapter.Pair p = g.adapter().pair(base.path());
            if (p != null) {
                segments.add(new SegmentedLoraProjection.Segment(g, p, g.adapter().config().scaling()));
            }
        }
        return segments.isEmpty() ? base : new SegmentedLoraProjection(base, segments);
    }
}
