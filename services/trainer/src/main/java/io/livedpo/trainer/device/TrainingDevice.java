package io.livedpo.trainer.device;

import io.livedpo.trainer.config.TrainerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * Where training runs, decided once at start-up from {@code livedpo.trainer.device} and what DJL sees.
 *
 * <p>The policy library trains on DJL's default device, which is the first GPU whenever the loaded PyTorch natives
 * see one. So the choice can only be honoured, not steered: {@code gpu} without a visible GPU and {@code cpu} with
 * one are start-up errors that say how to fix the deployment, rather than a trainer quietly running elsewhere.
 */
public enum TrainingDevice {
    CPU, GPU;

    /** Prometheus: {@code livedpo_trainer_device_info{device="cpu"|"gpu"} 1}. */
    public static final String INFO_METRIC = "livedpo.trainer.device.info";

    public static TrainingDevice select(TrainerConfig.Device requested, int visibleGpus, String natives) {
        return switch (requested) {
            case AUTO -> visibleGpus > 0 ? GPU : CPU;
            case GPU -> {
                if (visibleGpus == 0) {
                    throw new IllegalStateException("livedpo.trainer.device=gpu, but DJL sees no GPU (PyTorch natives: "
                            + natives + "). Run the CUDA image (built with -Pcuda) on a node with an NVIDIA GPU "
                            + "and its container runtime, or set device=auto|cpu");
                }
                yield GPU;
            }
            case CPU -> {
                if (visibleGpus > 0) {
                    throw new IllegalStateException("livedpo.trainer.device=cpu, but DJL sees " + visibleGpus
                            + " GPU(s) and trains on its default device, the first GPU. Hide them with "
                            + "CUDA_VISIBLE_DEVICES= (empty), or set device=auto|gpu");
                }
                yield CPU;
            }
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** An info gauge: constant 1, the device in its label, so dashboards can group trainers by it. */
    public void export(MeterRegistry registry) {
        Gauge.builder(INFO_METRIC, () -> 1).description("the device this trainer trains on")
                .tags("device", label()).strongReference(true).register(registry);
    }
}
