package io.livedpo.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class InteractionsTest {

    private static String chunk(String content, String finish) {
        return "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{" + (content == null ? ""
                : "\"content\":\"" + content + "\"") + "},\"finish_reason\":" + (finish == null ? "null"
                : "\"" + finish + "\"") + ",\"response_id\":\"r1\",\"model_version\":3}]}\n\n";
    }

    @Test
    void aStreamIsTheConcatenationOfItsDeltas() {
        String body = chunk("", null) + chunk("Hel", null) + chunk("lo", null) + chunk(null, "stop")
                + "data: [DONE]\n\n";
        List<Interactions.Answer> answers = Interactions.streamedAnswers(body);
        assertEquals(List.of(new Interactions.Answer("r1", "Hello", 3)), answers);
    }

    @Test
    void aStreamThatReportsAnErrorOrNeverEndsFails() {
        assertThrows(IllegalStateException.class, () -> Interactions.streamedAnswers(
                chunk("Hel", null) + "data: {\"error\":{\"message\":\"boom\"}}\n\ndata: [DONE]\n\n"));
        assertThrows(IllegalStateException.class, () -> Interactions.streamedAnswers(chunk("Hel", null)));
    }

    @Test
    void aThumbsVoteNamesTheAnswerAndAnAbChoiceBothAnswers() {
        LoadSettings one = new LoadSettings("s", "f", "m", "k", 1, 1, java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1), 3, 0, 0, 16, 7);
        Interactions plain = new Interactions(one);
        Interactions.Turn turn = plain.next(true);
        assertTrue(turn.chatBody().contains("\"n\":1") && turn.chatBody().contains("\"stream\":false"));
        Interactions.Ballot thumbs = plain.vote(turn, List.of(new Interactions.Answer("r1", "text", 0)));
        assertEquals("/v1/feedback", thumbs.path());
        assertTrue(thumbs.body().contains("\"response_id\":\"r1\""), thumbs.body());

        LoadSettings ab = new LoadSettings("s", "f", "m", "k", 1, 1, java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1), 3, 0, 1, 16, 7);
        Interactions choices = new Interactions(ab);
        Interactions.Turn pair = choices.next(true);
        assertTrue(pair.chatBody().contains("\"n\":2"), pair.chatBody());
        Interactions.Ballot choice = choices.vote(pair, List.of(new Interactions.Answer("a", "one", 1),
                new Interactions.Answer("b", "two", 1)));
        assertEquals("/v1/feedback/pairwise", choice.path());
        assertTrue(choice.body().contains("\"chosen_response_id\"") && choice.body().contains("\"rejected_response_id\""));
        assertEquals(java.util.Map.of(0L, 1L, 1L, 2L), java.util.Map.of(0L, plain.answersByVersion().get(0L),
                1L, choices.answersByVersion().get(1L)));
    }
}
