package io.livedpo.policy.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

/** jinja2's {@code trim}: Python's strip, so control characters stay and a no-break space goes (Java's trim differs). */
final class TrimFilter implements Filter {

    @Override
    public String getName() {
        return "trim";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        if (var == null) {
            return null;
        }
        return PythonStringMethods.strip(var.toString(), args.length > 0 ? args[0] : null, true, true);
    }
}
