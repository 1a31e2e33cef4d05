package io.livedpo.policy.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} methods chat templates call ({@code content.strip()}, {@code role.startswith('sys')}, ...),
 * which Jinjava would otherwise look up as Java methods and not find. Only method calls on strings are resolved here;
 * everything else falls through to Jinjava's own resolver.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), args);
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    private static Object call(String s, String method, Object[] args) {
        return switch (method) {
            case "strip" -> strip(s, args.length == 0 ? null : args[0].toString(), true, true);
            case "lstrip" -> strip(s, args.length == 0 ? null : args[0].toString(), true, false);
            case "rstrip" -> strip(s, args.length == 0 ? null : args[0].toString(), false, true);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "startswith" -> args.length == 1 && s.startsWith(args[0].toString());
            case "endswith" -> args.length == 1 && s.endsWith(args[0].toString());
            default -> null;
        };
    }

    /** Python's strip: {@code chars}, or whitespace as Python counts it (no-break space yes, control codes no). */
    static String strip(String s, String chars, boolean leading, boolean trailing) {
        int from = 0;
        int to = s.length();
        while (leading && from < to && stripped(s.charAt(from), chars)) {
            from++;
        }
        while (trailing && to > from && stripped(s.charAt(to - 1), chars)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean stripped(char c, String chars) {
        return chars != null ? chars.indexOf(c) >= 0 : Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** Python's title(): a letter after a non-letter is upper-cased, every other letter lower-cased. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousIsLetter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(previousIsLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousIsLetter = Character.isLetter(c);
        }
        return sb.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
