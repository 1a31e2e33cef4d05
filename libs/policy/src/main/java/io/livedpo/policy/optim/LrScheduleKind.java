package io.livedpo.policy.optim;

import java.util.Locale;

/**
 * What the learning rate does after the warm-up, named as the CLI and {@code livedpo.trainer.dpo.lr-schedule} spell
 * it.
 */
public enum LrScheduleKind {
    /** Stays at the peak: {@link WarmupConstant}. */
    CONSTANT("constant"),
    /**
     * Peak until the decay steps, then peak · √(decay steps / step), not under the floor: {@link WarmupInverseSqrt}.
     */
    INVERSE_SQRT("inverse-sqrt"),
    /**
     * Half-cosine from the peak to the floor over the decay steps after the warm-up, then the floor: {@link WarmupCosine}.
     */
    COSINE("cosine");

    private final String cliName;

    LrScheduleKind(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** Parses a CLI name ({@code constant|inverse-sqrt|cosine}), ignoring case and surrounding blanks. */
    public static LrScheduleKind parse(String name) {
        if (name != null) {
            String wanted = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
            for (LrScheduleKind kind : values()) {
                if (kind.cliName.equals(wanted)) {
                    return kind;
                }
            }
        }
        throw new IllegalArgumentException(
                "Unknown learning-rate schedule '" + name + "'; expected one of constant, inverse-sqrt, cosine");
    }

    /**
     * @param decaySteps inverse-sqrt: the step its decay starts at; cosine: its length after the warm-up
     * @param floor      the lowest rate, as a fraction of the peak (not used by {@link #CONSTANT})
     */
    public LrSchedule schedule(float peakLr, long warmupSteps, long decaySteps, double floor) {
        float minLr = (float) (peakLr * floor);
        return switch (this) {
            case CONSTANT -> new WarmupConstant(peakLr, warmupSteps);
            case INVERSE_SQRT -> new WarmupInverseSqrt(peakLr, minLr, warmupSteps, decaySteps);
            case COSINE -> new WarmupCosine(peakLr, minLr, warmupSteps, warmupSteps + decaySteps);
        };
    }
}
