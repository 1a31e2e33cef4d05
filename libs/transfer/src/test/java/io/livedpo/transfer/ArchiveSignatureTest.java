package io.livedpo.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known-answer vectors computed outside this code base, so a signer and a verifier that agree on a wrong HMAC fail:
 * {@code printf '<data>' | openssl dgst -sha256 -hmac '<key>'}, and for the large input Python's
 * {@code hmac.new(b'k', bytes(range(256)) * 5000, hashlib.sha256).hexdigest()}.
 */
class ArchiveSignatureTest {

    @TempDir
    Path dir;

    @Test
    void matchesIndependentlyComputedVectors() throws Exception {
        assertEquals("307ffafb4cb44596c9cee7a801919395867cb6604f08e1969a8ef3b9b69732c3",
                hex(new ArchiveSignature(Optional.of("test-signing-key"))
                        .sign("LiveDPO checkpoint archive".getBytes(StandardCharsets.UTF_8))));
        assertEquals("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
                hex(new ArchiveSignature(Optional.of("key"))
                        .sign("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void signsFilesInBlocksWithTheSameResult() throws Exception {
        byte[] data = new byte[256 * 5000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        Path file = Files.write(dir.resolve("archive.tar"), data);
        ArchiveSignature signer = new ArchiveSignature(Optional.of("k"));
        String expected = "6a9743313886b69dc36ae8ed9998c4042e05bc52156ad43125a97346bf39b787";
        assertEquals(expected, hex(signer.sign(file)));
        assertEquals(expected, hex(signer.sign(data)));
    }

    @Test
    void verifiesOnlyTheKeysOwnSignature() throws Exception {
        Path file = Files.writeString(dir.resolve("archive.tar"), "LiveDPO checkpoint archive");
        ArchiveSignature signer = new ArchiveSignature(Optional.of("test-signing-key"));
        assertTrue(signer.verify(file, HexFormat.of().parseHex(
                "307ffafb4cb44596c9cee7a801919395867cb6604f08e1969a8ef3b9b69732c3")));
        assertFalse(signer.verify(file, new ArchiveSignature(Optional.of("another-key")).sign(file)));
        assertFalse(signer.verify(file, new byte[0]), "a missing signature");
    }

    @Test
    void withoutAKeySigningIsOff() throws Exception {
        ArchiveSignature off = new ArchiveSignature(Optional.empty());
        Path file = Files.writeString(dir.resolve("archive.tar"), "anything");
        assertFalse(off.enabled());
        assertArrayEquals(new byte[0], off.sign(file));
        assertTrue(off.verify(file, new byte[0]));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
