package io.livedpo.trainer.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint covers, kept in its livedpo.json attributes so a restarted trainer can skip what it holds.
 *
 * @param offsets          per topic-partition ({@code topic-partition}), the records consumed into this checkpoint
 * @param coveredThrough   per topic-partition, the highest offset this checkpoint and its ancestors account for:
 *                         a record at or below it is never trained again
 * @param pairIds          pairs trained into this checkpoint (since its parent)
 * @param skippedPairIds   pairs consumed but not applied (non-finite batches)
 * @param newestFeedbackAt newest feedback behind any pair trained so far; null before the first
 */
public record CheckpointCoverage(Map<String, OffsetRange> offsets, Map<String, Long> coveredThrough,
                                 List<String> pairIds, List<String> skippedPairIds, Instant newestFeedbackAt) {

    static final String OFFSETS = "offsets";
    static final String COVERED_THROUGH = "coveredThrough";
    static final String PAIR_IDS = "pairIds";
    static final String SKIPPED_PAIR_IDS = "skippedPairIds";
    static final String NEWEST_FEEDBACK_AT = "newestFeedbackAt";

    public Map<String, Object> toAttributes() {
        Map<String, Object> ranges = new LinkedHashMap<>();
        offsets.forEach((tp, r) -> ranges.put(tp, Map.of("from", r.from(), "to", r.to())));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(OFFSETS, ranges);
        out.put(COVERED_THROUGH, Map.copyOf(coveredThrough));
        out.put(PAIR_IDS, List.copyOf(pairIds));
        out.put(SKIPPED_PAIR_IDS, List.copyOf(skippedPairIds));
        if (newestFeedbackAt != null) {
            out.put(NEWEST_FEEDBACK_AT, newestFeedbackAt.toString());
        }
        return out;
    }

    /** Reads attributes written by {@link #toAttributes()}; JSON numbers may come back as Integer or Long. */
    @SuppressWarnings("unchecked")
    public static CheckpointCoverage fromAttributes(Map<String, Object> attributes) {
        Map<String, OffsetRange> offsets = new LinkedHashMap<>();
        ((Map<String, Map<String, Number>>) attributes.getOrDefault(OFFSETS, Map.of())).forEach((tp, r) ->
                offsets.put(tp, new OffsetRange(r.get("from").longValue(), r.get("to").longValue())));
        Map<String, Long> covered = new LinkedHashMap<>();
        ((Map<String, Number>) attributes.getOrDefault(COVERED_THROUGH, Map.of())).forEach((tp, o) ->
                covered.put(tp, o.longValue()));
        Object feedback = attributes.get(NEWEST_FEEDBACK_AT);
        return new CheckpointCoverage(offsets, covered,
                (List<String>) attributes.getOrDefault(PAIR_IDS, List.of()),
                (List<String>) attributes.getOrDefault(SKIPPED_PAIR_IDS, List.of()),
                feedback == null ? null : Instant.parse(feedback.toString()));
    }
}
