package io.livedpo.policy.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livedpo.common.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFingerprintTest {

    @TempDir
    Path model;

    private byte[] config;
    private byte[] weights;

    @BeforeEach
    void writeModel() throws IOException {
        config = "{\"n_layer\": 2}".getBytes();
        weights = new byte[100_000];
        new Random(3).nextBytes(weights);
        Files.write(model.resolve(ModelFingerprint.CONFIG_FILE), config);
        Files.write(model.resolve(ModelFingerprint.WEIGHTS_FILE), weights);
    }

    @Test
    void hashesConfigThenWeights() throws IOException {
        byte[] both = new byte[config.length + weights.length];
        System.arraycopy(config, 0, both, 0, config.length);
        System.arraycopy(weights, 0, both, config.length, weights.length);

        String fingerprint = ModelFingerprint.of(model);

        assertEquals("sha256:" + Sha256.hex(both), fingerprint);
        assertTrue(fingerprint.matches("sha256:[0-9a-f]{64}"));
        assertEquals(fingerprint, ModelFingerprint.of(model));
    }

    @Test
    void changesWhenAModelByteChanges() throws IOException {
        Path file = model.resolve(ModelFingerprint.WEIGHTS_FILE);
        String before = ModelFingerprint.of(model);
        FileTime modified = Files.getLastModifiedTime(file);
        weights[50_000] ^= 1;
        Files.write(file, weights);
        // Explicitly later: file system timestamps can be coarser than the time this test takes.
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified.toMillis() + 10_000));

        String after = ModelFingerprint.of(model);

        assertNotEquals(before, after);
        assertEquals(ModelFingerprint.compute(model), after);
    }

    @Test
    void noticesAFileReplacedByRenameEvenWithSameSizeAndTime() throws IOException {
        Path file = model.resolve(ModelFingerprint.WEIGHTS_FILE);
        String before = ModelFingerprint.of(model);
        FileTime modified = Files.getLastModifiedTime(file);
        weights[0] ^= 1;
        Path replacement = Files.write(model.resolve("replacement.tmp"), weights);
        Files.setLastModifiedTime(replacement, modified);
        Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertNotEquals(before, ModelFingerprint.of(model));
    }

    @Test
    void reusesTheHashWhileSizeTimeAndInodeAreUnchanged() throws IOException {
        Path file = model.resolve(ModelFingerprint.WEIGHTS_FILE);
        String before = ModelFingerprint.of(model);
        FileTime modified = Files.getLastModifiedTime(file);
        weights[0] ^= 1;
        Files.write(file, weights); // in place: same inode and size
        Files.setLastModifiedTime(file, modified);

        assertEquals(before, ModelFingerprint.of(model), "cached, not re-hashed");
        assertNotEquals(before, ModelFingerprint.compute(model));
    }
}
