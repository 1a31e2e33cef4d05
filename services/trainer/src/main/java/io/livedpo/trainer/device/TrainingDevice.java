package io.livedpo.trainer.device;

import ai.djl.Device;
import io.livedpo.trainer.config.TrainerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * Where training runs, decided once at start-up from {@code livedpo.trainer.device} and what DJL sees, and handed to
 * the policy library when the base model loads ({@link #djlDevice()}). {@code cpu} trains on the CPU even where a GPU
 * is visible; {@code gpu} without a visible GPU is a start-up error that says how to fix the deployment, rather than
 * a trainer quietly running on the CPU.
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
            case CPU -> CPU;
        };
    }

    /** The DJL device the base model, its adapters and every training tensor are placed on: the first GPU. */
    public Device djlDevice() {
        return this == GPU ? Device.gpu() : Device.cpu();
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
