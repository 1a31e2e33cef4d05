package io.livedpo.cli;

import io.livedpo.policy.PolicyModel;
import io.livedpo.policy.lora.LoraAdapter;
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

    PolicyModel open() throws IOException {
        return PolicyModel.open(existingDir(model));
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
