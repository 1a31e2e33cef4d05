package io.livedpo.serving.service;

import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.tokenizer.ChatMessage;
import java.util.List;

/**
 * A validated chat request, ready to decode: the templated prompt's tokens and one set of sampling parameters per
 * choice.
 */
public record ChatPlan(String policy, List<ChatMessage> messages, long[] promptIds, List<SamplingParams> params) {
}
