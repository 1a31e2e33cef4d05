package io.livedpo.trainer.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.livedpo.policy.PolicyModel;
import io.livedpo.trainer.config.TrainerConfig.Device;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingDeviceTest {

    private static final Path TINY = Path.of("../../libs/policy/src/test/resources/fixtures/tiny-gpt2");

    @Test
    void autoFollowsWhatDjlSees() {
        assertEquals(TrainingDevice.CPU, TrainingDevice.select(Device.AUTO, 0, "cpu"));
        assertEquals(TrainingDevice.GPU, TrainingDevice.select(Device.AUTO, 2, "cu124"));
    }

    @Test
    void anExplicitDeviceIsHonouredOrRefusedWithTheFix() {
        assertEquals(TrainingDevice.GPU, TrainingDevice.select(Device.GPU, 1, "cu124"));
        assertEquals(TrainingDevice.CPU, TrainingDevice.select(Device.CPU, 0, "cpu"));
        IllegalStateException noGpu = assertThrows(IllegalStateException.class,
                () -> TrainingDevice.select(Device.GPU, 0, "2.7.1"));
        assertTrue(noGpu.getMessage().contains("DJL sees no GPU") && noGpu.getMessage().contains("-Pcuda"),
                noGpu.getMessage());
    }

    /** cpu beside a GPU is the CPU, and the base model is then loaded onto the CPU, not onto the engine's default. */
    @Test
    void cpuBesideAGpuIsTheCpuAndThatIsWhereTheModelLoads() throws Exception {
        TrainingDevice cpu = TrainingDevice.select(Device.CPU, 2, "cu124");
        assertEquals(TrainingDevice.CPU, cpu);
        assertEquals(ai.djl.Device.cpu(), cpu.djlDevice());
        assertEquals(ai.djl.Device.gpu(), TrainingDevice.GPU.djlDevice());
        try (PolicyModel base = PolicyModel.open(TINY, cpu.djlDevice())) {
            assertEquals(ai.djl.Device.cpu(), base.manager().getDevice());
            assertTrue(base.model().weights().values().stream().allMatch(w -> w.getDevice().equals(
                    ai.djl.Device.cpu())));
            try (NDManager sub = base.manager().newSubManager()) {
                assertEquals(ai.djl.Device.cpu(), sub.create(new float[] {1f}).getDevice(),
                        "tensors made for its math land on the same device");
            }
        }
    }

    /** On this machine's real engine (CPU natives, no GPU): auto is the CPU and gpu is refused. */
    @Test
    void theRealEngineHereSelectsTheCpu() {
        Engine engine = Engine.getEngine("PyTorch");
        assertEquals(0, engine.getGpuCount());
        assertEquals(TrainingDevice.CPU, TrainingDevice.select(Device.AUTO, engine.getGpuCount(), engine.getVersion()));
        assertThrows(IllegalStateException.class,
                () -> TrainingDevice.select(Device.GPU, engine.getGpuCount(), engine.getVersion()));
    }

    @Test
    void exportsTheInfoSeriesUnderTheDashboardsName() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TrainingDevice.GPU.export(registry);
        assertTrue(registry.scrape().lines().anyMatch(
                // The simpleclient exposition writes a trailing comma after the last label.
                l -> l.matches("livedpo_trainer_device_info\\{device=\"gpu\",?} 1\\.0")),
                registry.scrape());
    }
}
