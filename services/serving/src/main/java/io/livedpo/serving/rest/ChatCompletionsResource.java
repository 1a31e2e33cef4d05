package io.livedpo.serving.rest;

import io.livedpo.serving.support.Daemons;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livedpo.serving.service.ChatResult;
import io.livedpo.serving.service.ChatService;
import io.livedpo.serving.service.ModelName;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code POST /v1/chat/completions}: OpenAI's chat API, whole or streamed as server-sent events. */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {

    /** Runs streamed requests' decoding waits while the request thread writes the events. */
    private static final ExecutorService STREAMS = Executors.newCachedThreadPool(Daemons.named("livedpo-sse"));

    private final ChatService chat;
    private final ObjectMapper json;

    public ChatCompletionsResource(ChatService chat, ObjectMapper json) {
        this.chat = chat;
        this.json = json;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public Response complete(ChatCompletionRequest request, @Context HttpServerResponse http) {
        if (request == null) {
            throw new io.livedpo.serving.service.InvalidRequestException("body", "a JSON request body is required");
        }
        ChatService.Prepared prepared = chat.prepare(request.toCall());
        if (!request.streaming()) {
            ChatResult result = chat.execute(prepared, (index, delta) -> {
            });
            return Response.ok(ChatCompletionResponse.of(result), MediaType.APPLICATION_JSON)
                    .header(ModelName.HEADER, result.model()).build();
        }
        // The version is fixed before the first token, so the header can name it before streaming starts.
        return Response.ok(stream(prepared, http), "text/event-stream").header("Cache-Control", "no-cache")
                .header(ModelName.HEADER, prepared.model()).build();
    }

    /**
     * Queues the choices before the status line is written, so a full queue is a 429 problem like a whole answer's
     * (not a 200 with an error event); only failures after that are reported in-band.
     */
    private StreamingOutput stream(ChatService.Prepared p, HttpServerResponse http) {
        LinkedBlockingQueue<ChatCompletionChunk> chunks = new LinkedBlockingQueue<>();
        chat.submit(p, (index, delta) -> chunks.add(chunk(p, index, new ChatCompletionChunk.Delta(null, delta), null)));
        CompletableFuture<ChatResult> done = CompletableFuture.supplyAsync(() -> chat.await(p), STREAMS);
        return out -> {
            for (int i = 0; i < p.choices(); i++) {
                write(out, chunk(p, i, new ChatCompletionChunk.Delta("assistant", ""), null));
            }
            try {
                while (!done.isDone() || !chunks.isEmpty()) {
                    // A write to a connection the client has closed can vanish without an error: ask the connection,
                    // at least every 50 ms, so a hang-up frees the sequences' slots at the next decoding step.
                    if (http.closed()) {
                        throw new IOException("the client closed the connection mid-stream");
                    }
                    ChatCompletionChunk c = chunks.poll(50, TimeUnit.MILLISECONDS);
                    if (c != null) {
                        write(out, c);
                    }
                }
                ChatResult result = done.join();
                for (ChatResult.Choice c : result.choices()) {
                    write(out, chunk(p, c.index(), new ChatCompletionChunk.Delta(null, null), c.finishReason()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // The client went away: free its sequences' slots now rather than decode for nobody.
                p.cancel();
                throw e;
            } catch (RuntimeException e) {
                // The status line is gone already: report the failure in-band, as OpenAI's stream does.
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                event(out, json.writeValueAsString(Map.of("error", Map.of("message", String.valueOf(
                        cause.getMessage()), "type", cause.getClass().getSimpleName()))));
            }
            event(out, "[DONE]");
        };
    }

    private static ChatCompletionChunk chunk(ChatService.Prepared p, int index, ChatCompletionChunk.Delta delta,
                                             String finishReason) {
        return new ChatCompletionChunk(p.id(), "chat.completion.chunk", p.created(), p.model(),
                List.of(new ChatCompletionChunk.Choice(index, delta, finishReason, p.responseId(index), p.version(index))));
    }

    private void write(OutputStream out, ChatCompletionChunk chunk) throws IOException {
        event(out, json.writeValueAsString(chunk));
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
