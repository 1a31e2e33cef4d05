package io.livedpo.policy.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * {@code tojson} as transformers defines it for chat templates: Python's {@code json.dumps} with
 * {@code ensure_ascii=False} and its {@code indent}, {@code separators} and {@code sort_keys} arguments, byte for byte
 * (Jinjava's own filter formats differently and takes no indent).
 */
final class ToJsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        String indent = indentArg == null ? null
                : indentArg instanceof Number n ? " ".repeat(n.intValue()) : indentArg.toString();
        String itemSeparator = indent == null ? ", " : ",";
        String keySeparator = ": ";
        if (kwargs.get("separators") instanceof List<?> seps && seps.size() == 2) {
            itemSeparator = String.valueOf(seps.get(0));
            keySeparator = String.valueOf(seps.get(1));
        }
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        StringBuilder out = new StringBuilder();
        new Writer(out, indent, itemSeparator, keySeparator, sortKeys).value(var, 0);
        return out.toString();
    }

    private record Writer(StringBuilder out, String indent, String itemSeparator, String keySeparator,
                          boolean sortKeys) {

        void value(Object v, int level) {
            if (v == null) {
                out.append("null");
            } else if (v instanceof Boolean b) {
                out.append(b ? "true" : "false");
            } else if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
                out.append(pythonFloat(((Number) v).doubleValue()));
            } else if (v instanceof Number n) {
                out.append(n.longValue());
            } else if (v instanceof Map<?, ?> map) {
                List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
                if (sortKeys) {
                    entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
                }
                container('{', '}', entries.size(), level, i -> {
                    string(String.valueOf(entries.get(i).getKey()));
                    out.append(keySeparator);
                    value(entries.get(i).getValue(), level + 1);
                });
            } else if (v instanceof Collection<?> c) {
                List<?> items = new ArrayList<>(c);
                container('[', ']', items.size(), level, i -> value(items.get(i), level + 1));
            } else {
                string(v.toString());
            }
        }

        private void container(char open, char close, int size, int level, java.util.function.IntConsumer item) {
            out.append(open);
            if (size == 0) {
                out.append(close);
                return;
            }
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    out.append(itemSeparator);
                }
                newline(level + 1);
                item.accept(i);
            }
            newline(level);
            out.append(close);
        }

        private void newline(int level) {
            if (indent != null) {
                out.append('\n').append(indent.repeat(level));
            }
        }

        /** json.dumps' string escaping with ensure_ascii=False: quotes, backslashes and control characters only. */
        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    /** Python's float repr: shortest digits, exponent form below 1e-4 and from 1e16 on. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int decimalPoint = digits.length() - exact.scale(); // digits before the point
        String sign = d < 0 ? "-" : "";
        if (decimalPoint > -4 && decimalPoint <= 16) {
            if (decimalPoint <= 0) {
                return sign + "0." + "0".repeat(-decimalPoint) + digits;
            }
            if (decimalPoint >= digits.length()) {
                return sign + digits + "0".repeat(decimalPoint - digits.length()) + ".0";
            }
            return sign + digits.substring(0, decimalPoint) + "." + digits.substring(decimalPoint);
        }
        int exponent = decimalPoint - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
