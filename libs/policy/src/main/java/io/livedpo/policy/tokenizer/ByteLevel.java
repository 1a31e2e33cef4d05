package io.livedpo.policy.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level conventions, as Hugging Face's {@code ByteLevel} pre-tokenizer applies them: text is split with
 * GPT-2's regex, each piece is taken as UTF-8 bytes, and every byte is shown as one printable character
 * ({@code bytes_to_unicode}), so any string has a lossless spelling in a 256-symbol alphabet.
 */
public final class ByteLevel {

    /** GPT-2's pre-tokenization regex; Unicode-aware {@code \s} as Rust's regex crate has it. */
    public static final Pattern PRE_TOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** The 256 bytes in GPT-2's vocabulary order: printable Latin-1 first, then the rest. Index = token id. */
    private static final int[] BYTES_IN_VOCAB_ORDER = new int[256];
    /** The character standing for each byte (indexed by the byte's unsigned value). */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Token id of each byte's symbol (indexed by the byte's unsigned value). */
    private static final int[] BYTE_TO_ID = new int[256];
    /** The byte of each shifted character U+0100 + k (k counts the non-printable bytes, 68 of them). */
    private static final int[] SHIFTED_TO_BYTE = new int[68];

    static {
        int id = 0;
        boolean[] printable = new boolean[256];
        for (int[] range : new int[][] {{'!', '~'}, {0xA1, 0xAC}, {0xAE, 0xFF}}) {
            for (int b = range[0]; b <= range[1]; b++) {
                printable[b] = true;
                BYTE_TO_CHAR[b] = (char) b;
                BYTES_IN_VOCAB_ORDER[id++] = b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                SHIFTED_TO_BYTE[shifted] = b;
                BYTE_TO_CHAR[b] = (char) (256 + shifted++);
                BYTES_IN_VOCAB_ORDER[id++] = b;
            }
        }
        for (int i = 0; i < 256; i++) {
            BYTE_TO_ID[BYTES_IN_VOCAB_ORDER[i]] = i;
        }
    }

    private ByteLevel() {
    }

    /** The symbol (one character) of vocabulary id {@code id} in [0, 256). */
    public static String symbol(int id) {
        return String.valueOf(BYTE_TO_CHAR[BYTES_IN_VOCAB_ORDER[id]]);
    }

    /** The pre-tokens of {@code text}, in order; they concatenate back to the text. */
    public static List<String> preTokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE_TOKENIZE.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Byte-symbol ids (in [0, 256)) of a pre-token's UTF-8 bytes. */
    public static int[] byteIds(String preToken) {
        byte[] bytes = preToken.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = BYTE_TO_ID[bytes[i] & 0xFF];
        }
        return ids;
    }

    /** The bytes a byte-level spelling stands for (inverse of {@link #byteIds} followed by {@link #symbol}). */
    static byte[] bytes(String spelled) {
        byte[] out = new byte[spelled.length()];
        for (int i = 0; i < out.length; i++) {
            char c = spelled.charAt(i);
            if (c < 256 && BYTE_TO_CHAR[c] == c) {
                out[i] = (byte) c;
            } else if (c >= 256 && c < 256 + SHIFTED_TO_BYTE.length) {
                out[i] = (byte) SHIFTED_TO_BYTE[c - 256];
            } else {
                throw new IllegalArgumentException("'" + c + "' is not a byte-level symbol");
            }
        }
        return out;
    }
}
