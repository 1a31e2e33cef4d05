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

/** Selects the {@link TrainingDevice} before anything loads a model, then logs and exports it. */
@ApplicationScoped
public class DeviceSelector {

    private static final Logger LOG = Logger.getLogger(DeviceSelector.class);

    private volatile TrainingDevice device;

    // Before the runtime's own start-up observer (default priority): a wrong device stops the trainer first thing.
    void onStart(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE) StartupEvent event, TrainerConfig config,
                 MeterRegistry registry) {
        Engine engine = Engine.getEngine("PyTorch");
        device = TrainingDevice.select(config.device(), engine.getGpuCount(), engine.getVersion());
        LOG.infof("training on the %s (device=%s, DJL sees %d GPU(s), PyTorch %s)", device, config.device(),
                engine.getGpuCount(), engine.getVersion());
        device.export(registry);
    }

    public TrainingDevice device() {
        return device;
    }
}
