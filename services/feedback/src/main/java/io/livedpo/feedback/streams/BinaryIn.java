package io.livedpo.feedback.streams;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Reads what {@link BinaryOut} wrote; a truncated or overlong value fails with {@link IllegalArgumentException}. */
final class BinaryIn {

    private final byte[] buf;
    private int pos;

    BinaryIn(byte[] buf, int offset) {
        this.buf = buf;
        this.pos = offset;
    }

    int u8() {
        if (pos >= buf.length) {
            throw new IllegalArgumentException("truncated at byte " + pos);
        }
        return buf[pos++] & 0xFF;
    }

    boolean bool() {
        int value = u8();
        if (value > 1) {
            throw new IllegalArgumentException("not a boolean: " + value + " at byte " + (pos - 1));
        }
        return value == 1;
    }

    int uvarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw new IllegalArgumentException("negative length at byte " + pos);
                }
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long at byte " + pos);
    }

    long varlong() {
        long zigzag = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = u8();
            zigzag |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (zigzag >>> 1) ^ -(zigzag & 1);
            }
        }
        throw new IllegalArgumentException("varlong too long at byte " + pos);
    }

    double f64() {
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | u8();
        }
        return Double.longBitsToDouble(bits);
    }

    String string() {
        int lengthPlusOne = uvarint();
        if (lengthPlusOne == 0) {
            return null;
        }
        int length = lengthPlusOne - 1;
        if (length > buf.length - pos) {
            throw new IllegalArgumentException("a string of " + length + " bytes overruns the value at byte " + pos);
        }
        String value = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return value;
    }

    Instant instant() {
        if (!bool()) {
            return null;
        }
        long seconds = varlong();
        return Instant.ofEpochSecond(seconds, uvarint());
    }

    /** Fails unless every byte was read: trailing bytes mean the value is not what the reader thinks it is. */
    void end() {
        if (pos != buf.length) {
            throw new IllegalArgumentException((buf.length - pos) + " trailing bytes after byte " + pos);
        }
    }
}
