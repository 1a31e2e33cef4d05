package io.livedpo.trainer.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint covers, kept in its livedpo.json attributes so a restarted trainer can skip what it holds.
 *
 * @param offsets          per partition, the records consumed into this checkpoint
 * @param coveredThrough   per partition, the highest offset this checkpoint and its ancestors account for: a record at
 *                         or below it is never trained again
 * @param pairIds          pairs trained into this checkpoint (since its parent)
 * @param skippedPairIds   pairs consumed but not applied (non-finite batches)
 * @param newestFeedbackAt newest feedback behind any pair trained so far; null before the first
 */
public record CheckpointCoverage(Map<Partition, OffsetRange> offsets, Map<Partition, Long> coveredThrough,
                                 List<String> pairIds, List<String> skippedPairIds, Instant newestFeedbackAt) {

    static final String OFFSETS = "offsets";
    static final String COVERED_THROUGH = "coveredThrough";
    static final String PAIR_IDS = "pairIds";
    static final String SKIPPED_PAIR_IDS = "skippedPairIds";
    static final String NEWEST_FEEDBACK_AT = "newestFeedbackAt";

    public CheckpointCoverage {
        offsets = Map.copyOf(offsets);
        coveredThrough = Map.copyOf(coveredThrough);
        pairIds = List.copyOf(pairIds);
        skippedPairIds = List.copyOf(skippedPairIds);
    }

    /** Covers nothing: a policy that starts from the base model. */
    public static CheckpointCoverage none() {
        return new CheckpointCoverage(Map.of(), Map.of(), List.of(), List.of(), null);
    }

    public Map<String, Object> toAttributes() {
        Map<String, Object> ranges = new LinkedHashMap<>();
        offsets.forEach((p, r) -> ranges.put(p.toString(), Map.of("from", r.from(), "to", r.to())));
        Map<String, Object> covered = new LinkedHashMap<>();
        coveredThrough.forEach((p, o) -> covered.put(p.toString(), o));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(OFFSETS, ranges);
        out.put(COVERED_THROUGH, covered);
        out.put(PAIR_IDS, pairIds);
        out.put(SKIPPED_PAIR_IDS, skippedPairIds);
        if (newestFeedbackAt != null) {
            out.put(NEWEST_FEEDBACK_AT, newestFeedbackAt.toString());
        }
        return out;
    }

    /**
     * Reads attributes written by {@link #toAttributes()}: the one place the untyped JSON map becomes typed state.
     * JSON numbers may come back as Integer or Long.
     */
    @SuppressWarnings("unchecked")
    public static CheckpointCoverage fromAttributes(Map<String, Object> attributes) {
        Map<Partition, OffsetRange> offsets = new LinkedHashMap<>();
        ((Map<String, Map<String, Number>>) attributes.getOrDefault(OFFSETS, Map.of())).forEach((p, r) ->
                offsets.put(Partition.parse(p), new OffsetRange(r.get("from").longValue(), r.get("to").longValue())));
        Map<Partition, Long> covered = new LinkedHashMap<>();
        ((Map<String, Number>) attributes.getOrDefault(COVERED_THROUGH, Map.of())).forEach((p, o) ->
                covered.put(Partition.parse(p), o.longValue()));
        Object feedback = attributes.get(NEWEST_FEEDBACK_AT);
        return new CheckpointCoverage(offsets, covered,
                (List<String>) attributes.getOrDefault(PAIR_IDS, List.of()),
                (List<String>) attributes.getOrDefault(SKIPPED_PAIR_IDS, List.of()),
                feedback == null ? null : Instant.parse(feedback.toString()));
    }
}
