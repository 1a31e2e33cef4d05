package io.livedpo.cli;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/** What `bench` and `generate --repeat` time with: one definition of the median and of the process's CPU time. */
final class Timing {

    private Timing() {
    }

    /**
     * CPU time of the whole process, PyTorch's native threads included: on a shared machine, wall time measures the
     * neighbours as much as the model, and CPU seconds per step tell the two apart.
     */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The median of {@code seconds} (the upper one of an even count); sorts a copy. */
    static double median(double[] seconds) {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
