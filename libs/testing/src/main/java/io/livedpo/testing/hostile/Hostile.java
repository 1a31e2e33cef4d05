package io.livedpo.testing.hostile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Hostile input for edge tests: strings with control characters, markup, lone surrogates, traversal and huge lengths;
 * arbitrary JSON values; and request bodies made from a valid one by breaking one thing (a field's type or value, a
 * missing or unknown field) or by not being JSON at all (truncated, deeply nested, binary, empty).
 */
public final class Hostile {

    private static final String[] STRINGS = {
        "", " ", "\u0000\u0001<script>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "../../etc/passwd",
        "/etc/passwd", "C:\\Windows", "%00", "\r\nX-Injected: 1", "null", "NaN", "-1", "1e309", "{\"a\":", "\"",
        "\\", "\ud800", "\udfff", "\ud83d\ude00", "\u202e\u0644\u0627", "\uFEFF", "\u0085", "' OR 1=1 --", "${jndi:x}",
        "a".repeat(257), "é".repeat(129), "x".repeat(70_000),
    };

    private Hostile() {
    }

    /** A hostile string: from a catalogue of known trouble, or random code units (control characters included). */
    public static String text(SplittableRandom random) {
        if (random.nextInt(3) > 0) {
            return STRINGS[random.nextInt(STRINGS.length)];
        }
        StringBuilder b = new StringBuilder();
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            b.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x20) : (char) random.nextInt(0x10000));
        }
        return b.toString();
    }

    /** Any JSON value, nested at most {@code depth} deep: null, booleans, extreme numbers, hostile strings, containers. */
    public static Object json(SplittableRandom random, int depth) {
        switch (random.nextInt(depth > 0 ? 9 : 7)) {
            case 0: return null;
            case 1: return random.nextBoolean();
            case 2: return pick(random, 0, -1, Integer.MAX_VALUE, Long.MIN_VALUE, 1L << 53);
            case 3: return pick(random, 0.5, -0.0, 1e308, -1e308, Double.MIN_VALUE);
            case 4: return new java.math.BigInteger("9".repeat(40));
            case 5:
            case 6: return text(random);
            case 7: {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(json(random, depth - 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(text(random), json(random, depth - 1));
                }
                return map;
            }
        }
    }

    /**
     * A request body derived from {@code valid} (field name → value): one field replaced by a hostile value, removed,
     * or an unknown field added, serialised with {@code toJson}; or, one time in four, bytes that are not the JSON
     * object the endpoint expects.
     */
    public static String body(SplittableRandom random, Map<String, Object> valid,
                              java.util.function.Function<Object, String> toJson) {
        if (random.nextInt(4) == 0) {
            return pick(random, "", "null", "[]", "42", "\"text\"", "{", "{\"a\":1", "{}", "{\"a\":1}}",
                    "[".repeat(100_000), "{\"a\":".repeat(5_000), "\u0000\u0001\u00ff", "<xml/>",
                    "{\"a\":1,\"a\":2}", "{'single':'quotes'}", "{\"n\":01}", "{\"n\":NaN}");
        }
        Map<String, Object> body = new LinkedHashMap<>(valid);
        List<String> fields = new ArrayList<>(valid.keySet());
        String field = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(5)) {
            case 0 -> body.remove(field);
            case 1 -> body.put(text(random), json(random, 2));
            default -> body.put(field, json(random, 2));
        }
        return toJson.apply(body);
    }

    @SafeVarargs
    public static <T> T pick(SplittableRandom random, T... options) {
        return options[random.nextInt(options.length)];
    }
}
