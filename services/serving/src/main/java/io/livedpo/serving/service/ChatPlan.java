package io.livedpo.serving.service;

import io.livedpo.policy.generate.SamplingParams;
import io.livedpo.policy.tokenizer.ChatMessage;
import java.util.List;

/**
 * A validated chat request, ready to decode: the templated prompt's tokens and one set of sampling parameters per
 * choice; {@code pinnedVersion} is the version the request named ({@code model: "policy@version"}), null when it
 * named only the policy.
 */
public record ChatPlan(String policy, Long pinnedVersion, List<ChatMessage> messages, long[] promptIds,
                       List<SamplingParams> params) {
}
