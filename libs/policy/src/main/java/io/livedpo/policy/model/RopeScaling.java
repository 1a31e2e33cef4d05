package io.livedpo.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * config.json's {@code rope_scaling}, for the types implemented: {@code linear} (positions divided by factor) and
 * {@code llama3} (long wavelengths divided by factor, short ones kept, a smooth blend between).
 *
 * @param type                         "linear" or "llama3"
 * @param factor                       factor
 * @param lowFreqFactor                low_freq_factor (llama3 only)
 * @param highFreqFactor               high_freq_factor (llama3 only)
 * @param originalMaxPositionEmbeddings original_max_position_embeddings (llama3 only)
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {

    public static RopeScaling linear(double factor) {
        return new RopeScaling("linear", factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int original) {
        return new RopeScaling("llama3", factor, lowFreqFactor, highFreqFactor, original);
    }

    /** The inverse frequencies after scaling, from the unscaled ones (as HF's ROPE_INIT_FUNCTIONS compute them). */
    double[] scale(double[] invFreq) {
        double[] out = invFreq.clone();
        if (type.equals("linear")) {
            for (int i = 0; i < out.length; i++) {
                out[i] /= factor;
            }
            return out;
        }
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        for (int i = 0; i < out.length; i++) {
            double wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen > lowFreqWavelen) {
                out[i] = invFreq[i] / factor;
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                        / (highFreqFactor - lowFreqFactor);
                out[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
            }
        }
        return out;
    }

    /** Null for no scaling ({@code null} or type "default"); a clear error for types not implemented. */
    static RopeScaling read(JsonNode n, String where) throws IOException {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        String type = n.hasNonNull("rope_type") ? n.get("rope_type").asText() : n.path("type").asText("default");
        switch (type) {
            case "default":
                return null;
            case "linear":
                return linear(positive(n, "factor", where));
            case "llama3":
                return llama3(positive(n, "factor", where), positive(n, "low_freq_factor", where),
                        positive(n, "high_freq_factor", where),
                        (int) positive(n, "original_max_position_embeddings", where));
            default:
                throw new IOException(where + ": rope_scaling type '" + type
                        + "' is not supported (linear, llama3)");
        }
    }

    void write(ObjectNode n) {
        n.put("rope_type", type);
        n.put("factor", factor);
        if (type.equals("llama3")) {
            n.put("low_freq_factor", lowFreqFactor);
            n.put("high_freq_factor", highFreqFactor);
            n.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
        }
    }

    private static double positive(JsonNode n, String key, String where) throws IOException {
        double v = n.path(key).asDouble(-1);
        if (!(v > 0)) {
            throw new IOException(where + ": rope_scaling needs a positive '" + key + "'");
        }
        return v;
    }
}
