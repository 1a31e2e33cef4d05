package io.livedpo.events.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An RFC 9457 problem detail as every service answers it, plus {@code field} naming the request field at fault when
 * there is one, and {@code loaded_models} ({@code policy@version}) when a pinned version is not loaded.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field,
                      @JsonProperty("loaded_models") List<String> loadedModels) {

    public Problem(String type, String title, int status, String detail, String field) {
        this(type, title, status, detail, field, null);
    }

    public static final String MEDIA_TYPE = "application/problem+json";

    /** RFC 9457 (4.2.1): a problem with no meaning beyond its HTTP status, titled by the status's reason phrase. */
    public static final String BLANK_TYPE = "about:blank";

    public static Problem of(ProblemType type, String detail, String field) {
        return new Problem(type.uri(), type.title(), type.status(), detail, field);
    }

    /** A pinned {@code policy@version} that is not loaded, with the versions that are. */
    public static Problem versionNotLoaded(String detail, List<String> loadedModels) {
        ProblemType type = ProblemType.VERSION_NOT_LOADED;
        return new Problem(type.uri(), type.title(), type.status(), detail, "model", List.copyOf(loadedModels));
    }

    /** For what the HTTP framework refuses itself (unknown path, wrong method or media type). */
    public static Problem ofStatus(int status, String reasonPhrase, String detail) {
        return new Problem(BLANK_TYPE, reasonPhrase, status, detail, null);
    }
}
