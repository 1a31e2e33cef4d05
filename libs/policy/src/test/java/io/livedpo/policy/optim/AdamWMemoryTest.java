package io.livedpo.policy.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every temporary of a step must be closed, or a long-running online trainer leaks native memory. */
class AdamWMemoryTest {

    @Test
    void liveArraysStayFlatOverTwoThousandSteps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> params = new ArrayList<>();
            List<NDArray> grads = new ArrayList<>();
            for (Shape shape : List.of(new Shape(16, 8), new Shape(8), new Shape(4, 4))) {
                NDArray param = manager.randomNormal(shape);
                param.setRequiresGradient(true);
                params.add(param);
                grads.add(manager.randomNormal(shape));
            }
            AdamW adamW = new AdamW(params, AdamWConfig.defaults().withWeightDecay(0.01));
            LrSchedule schedule = new WarmupConstant(1e-3f, 100);
            // getManagedArrays() walks sub-managers too, so this counts every array the step could leave behind.
            int live = manager.getManagedArrays().size();

            for (int step = 1; step <= 2_000; step++) {
                GradientClipping.clipGlobalNorm(grads, 1e3f);
                adamW.step(grads, schedule.lr(step));
            }

            assertEquals(live, manager.getManagedArrays().size());
            assertEquals(2_000, adamW.steps());
        }
    }
}
