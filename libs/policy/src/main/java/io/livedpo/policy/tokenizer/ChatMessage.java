package io.livedpo.policy.tokenizer;

/** One chat turn; role is system, user or assistant (OpenAI's and TRL's conversational format). */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        if (role == null || !ChatTemplate.ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "' (expected system, user or assistant)");
        }
        if (content == null) {
            throw new IllegalArgumentException("message content is missing");
        }
    }
}
