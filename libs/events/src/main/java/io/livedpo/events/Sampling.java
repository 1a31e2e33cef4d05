package io.livedpo.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Sampling settings a completion was generated with; absent values mean the server's defaults. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Sampling(Double temperature, Double topP, Integer maxTokens, Long seed) {
}
