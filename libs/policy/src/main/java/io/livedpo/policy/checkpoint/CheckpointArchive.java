package io.livedpo.policy.checkpoint;

import io.livedpo.policy.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A checkpoint directory as one byte stream, for shipping to serving replicas: an uncompressed POSIX ustar archive
 * (readable by {@code tar -x}) of its regular files. Packing is deterministic (sorted names, zero times and owners,
 * mode 0644), so the same directory always gives the same bytes and the same sha256. Weights barely compress, hence
 * no gzip.
 */
public final class CheckpointArchive {

    private static final int BLOCK = 512;
    private static final int NAME_LENGTH = 100;
    /**
     * A checkpoint is a handful of files: more entries than this is a flood of (possibly empty) files that the byte
     * limit alone would not stop.
     */
    static final int MAX_ENTRIES = 64;
    private static final byte[] MAGIC = "ustar\0".getBytes(StandardCharsets.US_ASCII);

    private CheckpointArchive() {
    }

    /** Packs the regular files under {@code dir} (empty directories are not kept; links are refused). */
    public static byte[] pack(Path dir) throws IOException {
        return pack(dir, Set.of());
    }

    /** As {@link #pack(Path)}, leaving out the files whose relative names are in {@code leaveOut}. */
    public static byte[] pack(Path dir, Set<String> leaveOut) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot pack " + dir + ": not a directory");
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.toList()) {
                if (Files.isSymbolicLink(path) || !(Files.isDirectory(path) || Files.isRegularFile(path))) {
                    throw new IOException("cannot pack " + path + ": only regular files and directories are packed");
                }
                String name = dir.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
                if (Files.isRegularFile(path) && !leaveOut.contains(name)) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : names) {
            byte[] content = Files.readAllBytes(dir.resolve(name));
            out.write(header(name, content.length));
            out.write(content);
            out.write(new byte[padding(content.length)]);
        }
        out.write(new byte[2 * BLOCK]); // end-of-archive marker
        return out.toByteArray();
    }

    /**
     * Unpacks an archive into the new directory {@code targetDir}, atomically: on any error no target appears. Refuses
     * entries that would land outside the target, links and special files, more than {@link #MAX_ENTRIES} entries,
     * and more than {@code maxBytes} of file content in total.
     */
    public static void unpack(InputStream in, Path targetDir, long maxBytes) throws IOException {
        AtomicFiles.writeDirectory(targetDir, temp -> {
            extract(in, temp, maxBytes);
            return null;
        });
    }

    private static void extract(InputStream in, Path root, long maxBytes) throws IOException {
        byte[] header = new byte[BLOCK];
        long total = 0;
        for (int entries = 0; ; entries++) {
            if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
                throw new EOFException("archive ends without its end-of-archive marker");
            }
            if (isZero(header)) {
                return;
            }
            if (entries == MAX_ENTRIES) {
                throw new IOException("archive has more than " + MAX_ENTRIES + " entries");
            }
            checkHeader(header);
            String name = entryName(header);
            long size = octal(header, 124, 12, name);
            Path target = resolveInside(root, name);
            switch (header[156]) {
                case '0', 0 -> {
                    total += size;
                    if (total > maxBytes) {
                        throw new IOException("archive exceeds the limit of " + maxBytes + " bytes at entry '" + name
                                + "'");
                    }
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
                        copy(in, out, size, name);
                    }
                    skip(in, padding(size), name);
                }
                case '5' -> {
                    if (size != 0) {
                        throw new IOException("archive directory entry '" + name + "' has content");
                    }
                    Files.createDirectories(target);
                }
                default -> throw new IOException("archive entry '" + name + "' has type '" + (char) header[156]
                        + "'; only regular files and directories are accepted");
            }
        }
    }

    private static byte[] header(String name, long size) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > NAME_LENGTH) {
            throw new IOException("cannot pack '" + name + "': names are limited to " + NAME_LENGTH + " bytes");
        }
        byte[] header = new byte[BLOCK];
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        putOctal(header, 100, 8, 0644); // mode
        putOctal(header, 108, 8, 0); // uid
        putOctal(header, 116, 8, 0); // gid
        putOctal(header, 124, 12, size);
        putOctal(header, 136, 12, 0); // mtime
        header[156] = '0';
        System.arraycopy(MAGIC, 0, header, 257, MAGIC.length);
        header[263] = '0';
        header[264] = '0';
        Arrays.fill(header, 148, 156, (byte) ' ');
        // The checksum field holds 6 octal digits, a NUL and a space.
        putOctal(header, 148, 7, checksum(header));
        header[155] = ' ';
        return header;
    }

    private static void checkHeader(byte[] header) throws IOException {
        if (!Arrays.equals(header, 257, 262, MAGIC, 0, 5)) {
            throw new IOException("archive entry is not a ustar header");
        }
        long recorded = octal(header, 148, 8, "(header checksum)");
        Arrays.fill(header, 148, 156, (byte) ' ');
        if (recorded != checksum(header)) {
            throw new IOException("archive header checksum mismatch; the archive is corrupt");
        }
    }

    private static String entryName(byte[] header) {
        String name = field(header, 0, NAME_LENGTH);
        String prefix = field(header, 345, 155);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** Accepts only plain relative paths, so nothing is written outside {@code root}. */
    private static Path resolveInside(Path root, String name) throws IOException {
        String relative = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        boolean unsafe = relative.isEmpty() || relative.startsWith("/") || relative.contains("\\")
                || Arrays.stream(relative.split("/", -1)).anyMatch(p -> p.isEmpty() || p.equals(".") || p.equals(".."));
        Path resolved = root.resolve(relative).normalize();
        if (unsafe || !resolved.startsWith(root) || resolved.equals(root)) {
            throw new IOException("archive entry '" + name + "' is not a plain relative path inside the target");
        }
        return resolved;
    }

    private static void copy(InputStream in, OutputStream out, long size, String name) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (long left = size; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("archive is truncated inside entry '" + name + "'");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, int count, String name) throws IOException {
        if (in.readNBytes(count).length < count) {
            throw new EOFException("archive is truncated after entry '" + name + "'");
        }
    }

    private static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    private static long checksum(byte[] header) {
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        return sum;
    }

    /** Zero-padded octal digits followed by a NUL, filling {@code length} bytes. */
    private static void putOctal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(length - 1 - digits.length()) + digits;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
        header[offset + length - 1] = 0;
    }

    private static long octal(byte[] header, int offset, int length, String entry) throws IOException {
        String text = new String(header, offset, length, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw new IOException("archive entry '" + entry + "' has a malformed numeric field '" + text + "'");
        }
        return Long.parseLong(text, 8);
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
