package io.livedpo.policy.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hostile checkpoint archives, as a replica receives them from the network: names that climb out ({@code ../},
 * absolute, backslashes, a prefix field), links and devices, headers with wrong sizes or checksums, truncation, a
 * declared size far beyond the limit (the bomb), more entries than a checkpoint has. Property: unpacking either
 * succeeds with every file a regular file inside the target, or throws an {@link IOException} and leaves nothing
 * behind; nothing is ever written outside the staging directory. 400 seeded tries (about 3 s). A seeded generator
 * rather than a property-testing library (see docs/ARCHITECTURE.md, "Hostile input").
 */
class CheckpointArchivePropertyTest {

    private static final long LIMIT = 64 * 1024;
    private static final int TRIES = 400;
    /** Fixed, so a failure names a try that reproduces; each try i draws from its own generator (SEED + i). */
    private static final long SEED = 20261201L;
    /** Regular (both spellings), directory, hard link, symlink, char/block device, fifo, contiguous, junk, pax. */
    private static final Byte[] TYPES = types();

    /** One ustar header and its content, with every field open to a hostile value. */
    record Entry(String name, String prefix, byte type, long declaredSize, byte[] content, boolean goodChecksum,
                 boolean goodMagic) {
    }

    /** The entries, then an end marker or not, then cut at {@code cutAt} (of 1000ths) or not. */
    record Archive(List<Entry> entries, boolean endMarker, int cutAt) {
    }

    @Test
    void anArchiveLandsInsideTheTargetOrIsRefusedWithoutATrace() throws IOException {
        int unpacked = 0;
        for (int i = 0; i < TRIES; i++) {
            Archive archive = archive(new SplittableRandom(SEED + i));
            try {
                unpacked += check(archive) ? 1 : 0;
            } catch (AssertionError | IOException | RuntimeException e) {
                throw new AssertionError("try " + i + " (seed " + (SEED + i) + ") failed on " + archive + ": " + e, e);
            }
        }
        // The generator must reach both sides, or the property says little.
        assertTrue(unpacked >= 20 && unpacked <= TRIES - 100, unpacked + " of " + TRIES + " archives unpacked");
    }

    /** True when the archive was unpacked, false when refused; fails on anything else. */
    private static boolean check(Archive archive) throws IOException {
        Path sandbox = Files.createTempDirectory("archive-property");
        try {
            Path staging = Files.createDirectories(sandbox.resolve("staging"));
            Path target = staging.resolve("target");
            boolean unpacked;
            try {
                CheckpointArchive.unpack(new ByteArrayInputStream(bytes(archive)), target, LIMIT);
                unpacked = true;
            } catch (IOException refused) {
                unpacked = false;
            }
            long total = 0;
            try (Stream<Path> walk = Files.walk(sandbox)) {
                for (Path p : walk.toList()) {
                    assertFalse(Files.isSymbolicLink(p), "link " + p);
                    assertTrue(p.equals(sandbox) || p.equals(staging) || p.startsWith(target),
                            "written outside the target: " + sandbox.relativize(p));
                    assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                            || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS), "special file " + p);
                    if (Files.isRegularFile(p)) {
                        total += Files.size(p);
                    }
                }
            }
            assertTrue(total <= LIMIT, total + " bytes written");
            assertEquals(unpacked, Files.exists(target), "a refused archive leaves no target, an accepted one does");
            return unpacked;
        } finally {
            try (Stream<Path> walk = Files.walk(sandbox)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static Archive archive(SplittableRandom rng) {
        // Mostly a few entries; sometimes a flood of them, past the limit on entries.
        int count = rng.nextInt(4) == 0 ? 60 + rng.nextInt(20) : rng.nextInt(7);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] content = new byte[rng.nextInt(1500)];
            rng.nextBytes(content);
            long size = switch (rng.nextInt(8)) {
                case 0 -> rng.nextLong(3000); // wrong
                case 1 -> pick(rng, LIMIT + 1, 077777777777L, -2L); // over the limit, the 8^11 − 1 bomb, malformed
                default -> content.length;
            };
            entries.add(new Entry(name(rng), pick(rng, "", "", "", "", "..", "/tmp", "sub", "a/../.."),
                    pick(rng, TYPES), size, content, rng.nextInt(5) > 0, rng.nextInt(5) > 0));
        }
        return new Archive(entries, rng.nextInt(4) > 0, rng.nextBoolean() ? 1000 : rng.nextInt(1000));
    }

    private static String name(SplittableRandom rng) {
        return switch (rng.nextInt(3)) {
            case 0 -> pick(rng, "adapter_model.safetensors", "livedpo.json", "sub/dir/file", "dir/", "../evil",
                    "../../../tmp/evil", "/etc/evil", "a/../../evil", "a/./b", "./x", "a//b", "..", ".", "",
                    "a\\..\\..\\evil", "C:\\evil", "x/..", "\u0000hidden");
            case 1 -> text(rng, "./\\ab\u0000", rng.nextInt(15));
            default -> text(rng, "abcdefghijklmnopqrstuvwxyz", 95 + rng.nextInt(45)); // over the 100-byte field
        };
    }

    private static String text(SplittableRandom rng, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(rng.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom rng, T... options) {
        return options[rng.nextInt(options.length)];
    }

    private static Byte[] types() {
        return new Byte[] {(byte) '0', (byte) 0, (byte) '0', (byte) '5', (byte) '1', (byte) '2', (byte) '3',
                (byte) '4', (byte) '6', (byte) '7', (byte) 'x', (byte) 'g'};
    }

    private static byte[] bytes(Archive archive) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : archive.entries()) {
            out.write(header(e));
            out.write(e.content());
            out.write(new byte[(512 - e.content().length % 512) % 512]);
        }
        if (archive.endMarker()) {
            out.write(new byte[1024]);
        }
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, (int) ((long) all.length * archive.cutAt() / 1000));
    }

    private static byte[] header(Entry e) {
        byte[] h = new byte[512];
        put(h, 0, 100, e.name());
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (e.declaredSize() == -2) {
            put(h, 124, 12, "12z4"); // a malformed number
        } else {
            octal(h, 124, 12, e.declaredSize());
        }
        octal(h, 136, 12, 0);
        h[156] = e.type();
        put(h, 257, 6, e.goodMagic() ? "ustar\0" : "gnutar");
        h[263] = '0';
        h[264] = '0';
        put(h, 345, 155, e.prefix());
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, e.goodChecksum() ? sum : sum + 1);
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int offset, int length, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, offset, Math.min(length, b.length));
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, offset, length - 1);
        h[offset + length - 1] = 0;
    }
}
