package io.livedpo.policy.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livedpo.policy.lora.LoraConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** PEFT's adapter_config.json for a LoRA adapter, limited to what our LoRA implements. */
final class PeftAdapterConfig {

    /** PEFT treats a string target_modules as a regex; we accept a string only when it is a plain module name. */
    private static final Pattern PLAIN_MODULE = Pattern.compile("[A-Za-z0-9_.]+");

    private PeftAdapterConfig() {
    }

    /**
     * fan_in_fan_out is true for GPT-2's Conv1D projections ([in, out] weights), false for nn.Linear. Suffixes such
     * as {@code attn.c_attn} are valid PEFT target_modules: PEFT matches a module whose name ends with
     * {@code "." + target}.
     * base_model_name_or_path holds the base fingerprint; PeftModel.from_pretrained takes the base model explicitly.
     */
    static ObjectNode toJson(LoraConfig config, String baseModel) {
        ObjectNode json = CheckpointJson.MAPPER.createObjectNode();
        json.put("peft_type", "LORA");
        json.put("task_type", "CAUSAL_LM");
        json.put("r", config.rank());
        json.put("lora_alpha", config.alpha());
        json.put("lora_dropout", 0.0);
        json.put("bias", "none");
        json.put("fan_in_fan_out", config.fanInFanOut());
        config.targetModules().forEach(json.putArray("target_modules")::add);
        json.put("base_model_name_or_path", baseModel);
        json.put("inference_mode", true);
        return json;
    }

    /** Parses the config, refusing PEFT features whose tensors or scaling our LoRA would silently get wrong. */
    static LoraConfig parse(Path file, JsonNode json) throws CheckpointException {
        if (!json.isObject()) {
            throw invalid(file, "it is not a JSON object");
        }
        String peftType = json.path("peft_type").asText("");
        if (!peftType.equals("LORA")) {
            throw invalid(file, "peft_type is '" + peftType + "', expected 'LORA'");
        }
        String bias = json.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw invalid(file, "bias is '" + bias + "'; only 'none' is supported");
        }
        for (String flag : List.of("use_dora", "use_rslora")) {
            if (json.path(flag).asBoolean(false)) {
                throw invalid(file, flag + " is set; plain LoRA (scaling alpha/r) is supported");
            }
        }
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            if (!json.path(pattern).isEmpty()) {
                throw invalid(file, pattern + " is set; one rank and alpha for all modules is supported");
            }
        }
        JsonNode rank = json.get("r");
        JsonNode alpha = json.get("lora_alpha");
        if (rank == null || !rank.canConvertToInt() || alpha == null || !alpha.isNumber()) {
            throw invalid(file, "r and lora_alpha must be numbers");
        }
        try {
            return new LoraConfig(rank.intValue(), alpha.floatValue(), targetModules(file, json.get("target_modules")));
        } catch (IllegalArgumentException e) {
            throw invalid(file, e.getMessage());
        }
    }

    private static List<String> targetModules(Path file, JsonNode node) throws CheckpointException {
        if (node != null && node.isTextual() && PLAIN_MODULE.matcher(node.textValue()).matches()) {
            return List.of(node.textValue());
        }
        if (node == null || !node.isArray()) {
            throw invalid(file, "target_modules must be a list of module names, got " + node);
        }
        List<String> modules = new ArrayList<>();
        for (JsonNode module : node) {
            if (!module.isTextual()) {
                throw invalid(file, "target_modules entry " + module + " is not a string");
            }
            modules.add(module.textValue());
        }
        return modules;
    }

    private static CheckpointException invalid(Path file, String problem) {
        return new CheckpointException("unsupported adapter config " + file + ": " + problem);
    }
}
