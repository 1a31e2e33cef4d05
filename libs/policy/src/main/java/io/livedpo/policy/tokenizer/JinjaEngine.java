package io.livedpo.policy.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * Renders Hugging Face chat templates with Jinjava configured as transformers' {@code apply_chat_template} configures
 * jinja2: {@code trim_blocks}, {@code lstrip_blocks}, no kept trailing newline, {@code raise_exception}. Every place
 * where Jinjava differs from jinja2 on chat templates is patched here and nowhere else.
 */
final class JinjaEngine {

    private static final Jinjava ENGINE = create();

    private JinjaEngine() {
    }

    private static Jinjava create() {
        LegacyOverrides pythonLike = LegacyOverrides.newBuilder()
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withUseTrimmingForNotesAndExpressions(true)
                .withHandleBackslashInQuotesOnly(true)
                .withKeepNullableLoopValues(true)
                .build();
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // jinja2 drops one trailing newline of the template source; Jinjava would trim the output instead.
                .withKeepTrailingNewline(true)
                .withFailOnUnknownTokens(false)
                // Message text is data: "{{ x }}" in a user message must never be rendered.
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(pythonLike)
                .withElResolver(resolver)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaEngine.class,
                "raiseException", String.class));
        jinjava.registerFilter(new ToJsonFilter());
        jinjava.registerFilter(new TrimFilter());
        return jinjava;
    }

    /** Called by templates as {@code raise_exception(message)}. */
    public static String raiseException(String message) {
        throw new Raised(message);
    }

    static String render(String template, Map<String, Object> context) {
        RenderResult result;
        try {
            result = ENGINE.renderForResult(withoutTrailingNewline(template), context);
        } catch (Raised e) {
            throw new ChatTemplateException(e.getMessage(), true);
        }
        for (TemplateError error : result.getErrors()) {
            Raised raised = raisedIn(error.getException());
            if (raised != null) {
                throw new ChatTemplateException(raised.getMessage(), true);
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("chat template failed at line " + error.getLineno() + ": "
                        + error.getMessage(), false);
            }
        }
        return result.getOutput();
    }

    private static String withoutTrailingNewline(String template) {
        if (template.endsWith("\r\n")) {
            return template.substring(0, template.length() - 2);
        }
        return template.endsWith("\n") || template.endsWith("\r")
                ? template.substring(0, template.length() - 1) : template;
    }

    private static Raised raisedIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Raised r) {
                return r;
            }
        }
        return null;
    }

    /** raise_exception's signal, turned into a {@link ChatTemplateException} once rendering has stopped. */
    private static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message, null, false, false);
        }
    }
}
