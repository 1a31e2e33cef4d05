package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real child JVM: it gets PyTorch's OpenMP wait policy in its environment (libgomp reads it only from there). */
class ChildJvmTest {

    /** The child's side: prints the variable it was started with. */
    public static final class PrintWaitPolicy {
        public static void main(String[] args) {
            System.out.println("OMP_WAIT_POLICY=" + System.getenv("OMP_WAIT_POLICY"));
        }
    }

    @Test
    void childrenGetThePassiveWaitPolicy(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("child.log");
        ChildJvm.runToCompletion("probe", List.of("-cp", System.getProperty("java.class.path")),
                List.of(PrintWaitPolicy.class.getName()), dir, log, 60);
        // The test's own environment may set a policy; the child keeps that one, else gets PASSIVE.
        String expected = System.getenv().getOrDefault("OMP_WAIT_POLICY",
                ChildJvm.TORCH_ENVIRONMENT.get("OMP_WAIT_POLICY"));
        assertEquals(List.of("OMP_WAIT_POLICY=" + expected), Files.readAllLines(log));
        assertEquals("PASSIVE", ChildJvm.TORCH_ENVIRONMENT.get("OMP_WAIT_POLICY"));
    }
}
