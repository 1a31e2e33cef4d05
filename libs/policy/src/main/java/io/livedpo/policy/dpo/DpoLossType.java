package io.livedpo.policy.dpo;

import java.util.Locale;

/** The DPO loss variants, named as TRL's {@code DPOConfig.loss_type} and the CLI spell them. */
public enum DpoLossType {
    /** Rafailov et al. 2023; with label smoothing ε this is conservative DPO (cDPO). */
    SIGMOID("sigmoid"),
    /** Azar et al. 2023 (IPO), on length-normalised log-probs as TRL does. */
    IPO("ipo"),
    /** SLiC / RSO hinge on the scaled log-ratio margin. */
    HINGE("hinge"),
    /** Chowdhury et al. 2024: unbiased under label noise rate ε. */
    ROBUST("robust");

    private final String cliName;

    DpoLossType(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** Parses a CLI name ({@code sigmoid|ipo|hinge|robust}), ignoring case and surrounding blanks. */
    public static DpoLossType parse(String name) {
        if (name != null) {
            String wanted = name.strip().toLowerCase(Locale.ROOT);
            for (DpoLossType type : values()) {
                if (type.cliName.equals(wanted)) {
                    return type;
                }
            }
        }
        throw new IllegalArgumentException(
                "Unknown DPO loss type '" + name + "'; expected one of sigmoid, ipo, hinge, robust");
    }
}
