package io.livedpo.trainer.device;

import ai.djl.engine.Engine;
import io.livedpo.trainer.config.TrainerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

/**
 * Selects the {@link TrainingDevice} once, on first use: at start-up (a wrong device stops the trainer first thing)
 * or when the base model is loaded onto it, whichever comes first. Logs and exports it.
 */
@ApplicationScoped
public class DeviceSelector {

    private static final Logger LOG = Logger.getLogger(DeviceSelector.class);

    private final TrainerConfig config;
    private final MeterRegistry registry;
    private TrainingDevice device;

    public DeviceSelector(TrainerConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    // Before the runtime's own start-up observer (default priority): a wrong device stops the trainer first thing.
    void onStart(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE) StartupEvent event) {
        device();
    }

    public synchronized TrainingDevice device() {
        if (device == null) {
            Engine engine = Engine.getEngine("PyTorch");
            device = TrainingDevice.select(config.device(), engine.getGpuCount(), engine.getVersion());
            LOG.infof("training on the %s (device=%s, DJL sees %d GPU(s), PyTorch %s)", device, config.device(),
                    engine.getGpuCount(), engine.getVersion());
            device.export(registry);
        }
        return device;
    }
}
