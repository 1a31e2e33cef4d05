package io.livedpo.serving.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.livedpo.policy.tokenizer.ChatMessage;
import io.livedpo.proto.ChatChunk;
import io.livedpo.proto.ChatRequest;
import io.livedpo.proto.ChatResponse;
import io.livedpo.proto.ChatServiceGrpc;
import io.livedpo.proto.Choice;
import io.livedpo.proto.Usage;
import io.livedpo.serving.engine.OverloadedException;
import io.livedpo.serving.service.ChatCall;
import io.livedpo.serving.service.ChatResult;
import io.livedpo.serving.service.ChatService;
import io.livedpo.serving.service.InvalidRequestException;
import io.livedpo.serving.service.ServiceUnavailableException;
import io.livedpo.serving.service.UnknownPolicyException;
import io.livedpo.serving.service.VersionNotLoadedException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Blocking;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ChatService} over gRPC: the same semantics and validation as the REST API; the answering version is in every
 * message's {@code model} and in the {@code livedpo-model} response header ({@link ModelHeaderInterceptor}).
 */
@GrpcService
@RegisterInterceptor(ModelHeaderInterceptor.class)
public class ChatGrpcService extends ChatServiceGrpc.ChatServiceImplBase {

    private final ChatService chat;

    public ChatGrpcService(ChatService chat) {
        this.chat = chat;
    }

    @Override
    @Blocking
    public void complete(ChatRequest request, StreamObserver<ChatResponse> response) {
        try {
            ChatResult r = chat.execute(chat.prepare(call(request)), (index, delta) -> {
            });
            ChatResponse.Builder out = ChatResponse.newBuilder().setId(r.id()).setModel(r.model())
                    .setCreated(r.created()).setUsage(Usage.newBuilder().setPromptTokens(r.promptTokens())
                            .setCompletionTokens(r.completionTokens())
                            .setTotalTokens(r.promptTokens() + r.completionTokens()));
            for (ChatResult.Choice c : r.choices()) {
                out.addChoices(Choice.newBuilder().setIndex(c.index())
                        .setMessage(io.livedpo.proto.ChatMessage.newBuilder().setRole("assistant").setContent(c.text()))
                        .setFinishReason(c.finishReason()).setResponseId(c.responseId())
                        .setModelVersion(c.version()));
            }
            response.onNext(out.build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(status(e));
        }
    }

    @Override
    @Blocking
    public void streamComplete(ChatRequest request, StreamObserver<ChatChunk> response) {
        ServerCallStreamObserver<ChatChunk> stream = (ServerCallStreamObserver<ChatChunk>) response;
        try {
            ChatService.Prepared p = chat.prepare(call(request));
            ChatResult r = chat.execute(p, (index, delta) -> {
                synchronized (stream) { // deltas arrive on the decoding thread; gRPC observers are not thread-safe
                    if (!stream.isCancelled()) {
                        stream.onNext(chunk(p, index, delta, ""));
                    } else {
                        p.cancel(); // the client went away: free its sequences' slots now
                    }
                }
            });
            synchronized (stream) {
                for (ChatResult.Choice c : r.choices()) {
                    stream.onNext(chunk(p, c.index(), "", c.finishReason()));
                }
                stream.onCompleted();
            }
        } catch (RuntimeException e) {
            response.onError(status(e));
        }
    }

    private static ChatChunk chunk(ChatService.Prepared p, int index, String delta, String finishReason) {
        return ChatChunk.newBuilder().setId(p.id()).setModel(p.model()).setIndex(index).setDelta(delta)
                .setFinishReason(finishReason).setResponseId(p.responseId(index)).setModelVersion(p.version(index))
                .build();
    }

    private static ChatCall call(ChatRequest r) {
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < r.getMessagesCount(); i++) {
            try {
                messages.add(new ChatMessage(r.getMessages(i).getRole(), r.getMessages(i).getContent()));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("messages[" + i + "].role", e.getMessage());
            }
        }
        return new ChatCall(r.getPolicy(), messages, r.hasTemperature() ? r.getTemperature() : null,
                r.hasTopP() ? r.getTopP() : null, r.hasMaxTokens() ? r.getMaxTokens() : null,
                r.getN() == 0 ? null : r.getN(), r.hasSeed() ? r.getSeed() : null, r.getStopList(), r.getUser());
    }

    private static StatusRuntimeException status(RuntimeException e) {
        Status s;
        if (e instanceof InvalidRequestException invalid) {
            s = Status.INVALID_ARGUMENT.withDescription(invalid.field() + ": " + invalid.getMessage());
        } else if (e instanceof UnknownPolicyException || e instanceof VersionNotLoadedException) {
            s = Status.NOT_FOUND.withDescription(e.getMessage());
        } else if (e instanceof OverloadedException) {
            s = Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
        } else if (e instanceof ServiceUnavailableException) {
            s = Status.UNAVAILABLE.withDescription(e.getMessage());
        } else {
            s = Status.INTERNAL.withDescription(String.valueOf(e.getMessage()));
        }
        return s.asRuntimeException();
    }
}
