package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.livedpo.common.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** A DPO training example, as it goes to {@link Topics#PAIRS} keyed by {@code policy}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PreferencePair(
        int schema,
        String pairId,
        String policy,
        List<PromptMessage> prompt,
        String chosen,
        String rejected,
        String chosenResponseId,
        String rejectedResponseId,
        long chosenModelVersion,
        long rejectedModelVersion,
        PairSource source,
        Instant createdAt,
        Instant newestFeedbackAt) {

    public static final int SCHEMA = 1;

    public PreferencePair {
        Require.text(pairId, "pairId");
        Require.text(policy, "policy");
        prompt = List.copyOf(Require.present(prompt, "prompt"));
        Require.present(chosen, "chosen");
        Require.present(rejected, "rejected");
        Require.text(chosenResponseId, "chosenResponseId");
        Require.text(rejectedResponseId, "rejectedResponseId");
        Require.present(source, "source");
        Require.present(createdAt, "createdAt");
        Require.present(newestFeedbackAt, "newestFeedbackAt");
    }

    /**
     * The id of the pair of two responses, whichever of them was chosen: two responses make at most one pair,
     * so a later, contradicting verdict on the same two is a duplicate rather than a second example.
     */
    public static String idOf(String responseIdA, String responseIdB) {
        String first = responseIdA.compareTo(responseIdB) <= 0 ? responseIdA : responseIdB;
        String second = first.equals(responseIdA) ? responseIdB : responseIdA;
        return Sha256.hex((first + '\n' + second).getBytes(StandardCharsets.UTF_8));
    }
}
