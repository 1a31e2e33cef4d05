package io.livedpo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.checkpoint.CheckpointMetadata;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.lora.LoraConfig;
import io.livedpo.serving.engine.PolicyVersion;
import io.livedpo.serving.engine.VersionLease;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A version's adapter lives exactly as long as its leases: freed once, by the last one to close. */
class VersionLeaseTest {

    private static PolicyModel base;

    @BeforeAll
    static void open() throws Exception {
        base = PolicyModel.open(TestClients.BASE);
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void theLastLeaseFreesTheAdapterOnce() {
        LoraAdapter adapter = LoraAdapter.create(base.model(), new LoraConfig(4, 8f, LoraConfig.GPT2_TARGETS), 1,
                base.manager());
        AtomicInteger freed = new AtomicInteger();
        VersionLease first = PolicyVersion.of(base, adapter, CheckpointMetadata.draft("default", 1, 0,
                base.fingerprint(), 1, Map.of(), Instant.now(), Map.of()), freed::incrementAndGet);
        PolicyVersion version = first.version();
        VersionLease task = first.share();
        assertEquals(2, version.leases());

        first.close();
        first.close();
        assertEquals(1, version.leases(), "closing a lease twice gives back one hold only");
        assertTrue(adapter.manager().isOpen(), "a task still decodes on it");
        assertThrows(IllegalStateException.class, first::share);

        task.close();
        assertEquals(0, version.leases());
        assertFalse(adapter.manager().isOpen(), "the adapter's native memory is freed");
        assertEquals(1, freed.get());
        assertTrue(version.tryLease().isEmpty(), "a freed version is never leased again");
    }

    @Test
    void theBaseVersionHasNoAdapterToFree() {
        try (VersionLease lease = PolicyVersion.base(base, "default")) {
            assertEquals(0, lease.version().version());
            assertEquals("default@0", lease.version().label());
        }
        assertTrue(base.manager().isOpen());
    }
}
