package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
import io.livedpo.policy.model.BasePrecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --model and --adapter, shared by the commands that run the model. */
final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face GPT-2 directory: config.json, model.safetensors, tokenizer.json")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "LoRA adapter directory (PEFT layout)")
    Path adapter;

    @Option(names = "--base-precision", defaultValue = "f32", paramLabel = "P", description = "f32, or bf16: the"
            + " frozen base's projections multiplied in bfloat16 on the CPU (inference only; the JVM needs --add-modules"
            + " jdk.incubator.vector, which bin/livedpo sets)")
    String basePrecision;

    PolicyModel open() throws IOException {
        BasePrecision precision;
        try {
            precision = BasePrecision.parse(basePrecision);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--base-precision: " + e.getMessage());
        }
        return PolicyModel.open(existingDir(model), null, precision);
    }

    /** The adapter, or null to run the base model. */
    LoraAdapter adapter(PolicyModel base) throws IOException {
        return adapter == null ? null : base.loadAdapter(existingDir(adapter));
    }

    static Path existingDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": no such directory");
        }
        return dir;
    }
}
