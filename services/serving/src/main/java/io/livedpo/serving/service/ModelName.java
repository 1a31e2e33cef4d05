package io.livedpo.serving.service;

/**
 * The {@code model} a request names: {@code policy} (whatever version routing picks) or {@code policy@version} (that
 * exact version, pinned), the form every response names its model in.
 */
public final class ModelName {

    /**
     * The response header (HTTP) and trailing-free response metadata key (gRPC) naming the {@code policy@version} that
     * answered; lower case, as gRPC metadata requires and HTTP does not mind.
     */
    public static final String HEADER = "livedpo-model";

    private ModelName() {
    }

    static String policy(String model) {
        int at = model.lastIndexOf('@');
        return at < 0 ? model : model.substring(0, at);
    }

    /**
     * @return the pinned version, or null when {@code model} names only a policy
     * @throws InvalidRequestException when the part after {@code @} is not a version number
     */
    static Long version(String model) {
        int at = model.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        String version = model.substring(at + 1);
        if (at == 0 || !version.matches("(0|[1-9][0-9]{0,17})")) {
            throw new InvalidRequestException("model", "model must be a policy or policy@version (a version number"
                    + " >= 0), got '" + model + "'");
        }
        return Long.parseLong(version);
    }
}
