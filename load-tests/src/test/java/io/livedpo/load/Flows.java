package io.livedpo.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;

/** The chains the simulations share: one simulated user's chat request and vote. */
final class Flows {

    static final String CHAT = "/v1/chat/completions";

    private Flows() {
    }

    /** Keep-alive connections shared by all virtual users, as a chat front end's pool would be. */
    static HttpProtocolBuilder protocol() {
        return http.contentTypeHeader("application/json").shareConnections().disableWarmUp();
    }

    /**
     * One interaction: a chat request (plain, streamed, or two answers for an A/B choice), then the user's vote on
     * what came back. A chat answered with an error, or a stream that reports one in-band or never ends with
     * {@code [DONE]}, fails the request and skips the vote.
     */
    static ChainBuilder interaction(LoadSettings s, Interactions interactions, boolean allowStream) {
        return exec(session -> {
            Interactions.Turn turn = interactions.next(allowStream);
            return session.set("turn", turn).set("chatBody", turn.chatBody()).set("stream", turn.stream())
                    .set("chatName", turn.stream() ? "chat SSE" : turn.ab() ? "chat n=2" : "chat");
        })
                .doIfOrElse(session -> session.getBoolean("stream")).then(
                        exec(http("#{chatName}").post(s.servingUrl() + CHAT).body(StringBody("#{chatBody}"))
                                .header("Accept", "text/event-stream")
                                .check(status().is(200),
                                        bodyString().transform(Interactions::streamedAnswers).saveAs("answers"))))
                .orElse(
                        exec(http("#{chatName}").post(s.servingUrl() + CHAT).body(StringBody("#{chatBody}"))
                                .check(status().is(200),
                                        bodyString().transform(Interactions::plainAnswers).saveAs("answers"))))
                .exitHereIfFailed()
                .exec(session -> {
                    List<Interactions.Answer> answers = session.getList("answers");
                    Interactions.Ballot ballot = interactions.vote(session.get("turn"), answers);
                    return session.set("votePath", ballot.path()).set("voteBody", ballot.body())
                            .set("voteName", ballot.path().endsWith("pairwise") ? "vote A/B" : "vote thumbs");
                })
                .exec(http("#{voteName}").post(s.feedbackUrl() + "#{votePath}").body(StringBody("#{voteBody}"))
                        .check(status().is(202)));
    }
}
