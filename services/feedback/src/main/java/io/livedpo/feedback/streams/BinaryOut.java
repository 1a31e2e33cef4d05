package io.livedpo.feedback.streams;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Appends the primitives of the internal binary format ({@link InternalSerde}): unsigned LEB128 varints, zig-zag
 * varlongs, length-prefixed UTF-8 strings (length + 1, so 0 is null) and instants as seconds + nanos (exact, like
 * the JSON they replace).
 */
final class BinaryOut {

    private byte[] buf;
    private int size;

    BinaryOut(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    BinaryOut u8(int value) {
        ensure(1);
        buf[size++] = (byte) value;
        return this;
    }

    BinaryOut bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    /** An int that is never negative (lengths, counts). */
    BinaryOut uvarint(int value) {
        ensure(5);
        while ((value & ~0x7F) != 0) {
            buf[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf[size++] = (byte) value;
        return this;
    }

    BinaryOut varlong(long value) {
        ensure(10);
        long zigzag = (value << 1) ^ (value >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            buf[size++] = (byte) ((zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        buf[size++] = (byte) zigzag;
        return this;
    }

    BinaryOut f64(double value) {
        long bits = Double.doubleToRawLongBits(value);
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (bits >>> shift);
        }
        return this;
    }

    /** A nullable string. */
    BinaryOut string(String value) {
        if (value == null) {
            return u8(0);
        }
        if (isAscii(value)) {
            // The common case (ids, hashes, keys): one pass, no intermediate byte[].
            int length = value.length();
            uvarint(length + 1);
            ensure(length);
            for (int i = 0; i < length; i++) {
                buf[size++] = (byte) value.charAt(i);
            }
            return this;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        uvarint(utf8.length + 1);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, size, utf8.length);
        size += utf8.length;
        return this;
    }

    /** A nullable instant. */
    BinaryOut instant(Instant value) {
        if (value == null) {
            return u8(0);
        }
        u8(1);
        varlong(value.getEpochSecond());
        return uvarint(value.getNano());
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, size);
    }

    private static boolean isAscii(String value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
