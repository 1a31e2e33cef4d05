package io.livedpo.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The live loop on the Llama-family demo model ({@code models/demo-llama}: Llama blocks, grouped-query attention, a
 * ChatML template): serving renders prompts with the model's template, and versions are trained by DPO on LoRA
 * adapters over the Llama projections, pushed to serving and served. Asserts the mechanics, not the learning bar
 * ({@link EndToEndIT} measures learning on the GPT-2 demo): the served prompt is the ChatML rendering recorded in the
 * model's expected.json, answers end at the end-of-turn token, at least {@link #SERVED_VERSIONS} trained versions are
 * served, serving activated pushed checkpoints, each published adapter is in PEFT's layout for this model (
 * adapter_config.json fields, PEFT key names, LoRA shapes that follow grouped-query attention), and feedback accounts
 * for every accepted vote. (A version over the KL budget is never published, so a served version is within it.)
 */
class LlamaEndToEndIT {

    static final int SERVED_VERSIONS = 2;
    static final double KL_BUDGET = 10.0;
    /** From the first simulated user to the second served trained version (about a minute on a quiet machine). */
    static final Duration DEADLINE = Duration.ofMinutes(6);
    static final List<String> LLAMA_TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theLoopTrainsPushesAndServesLlamaAdapters() throws Exception {
        Path home = LocalStackIT.HOME;
        List<String> missing = Arrays.stream(Service.values()).filter(s -> !s.built(home))
                .map(s -> s.jar(home).toString()).toList();
        assumeTrue(missing.isEmpty(), "Llama end-to-end test skipped: not built " + missing);
        Path model = home.resolve("models/demo-llama");
        assumeTrue(Files.isRegularFile(model.resolve("config.json")), "no Llama demo model at " + model);
        JsonNode config = JSON.readTree(model.resolve("config.json").toFile());
        assertEquals("llama", config.path("model_type").asText());

        StackSettings settings = StackSettings.of(home, TestDirs.fresh("e2e-llama-stack"), model, Ports.ephemeral())
                .withOverrides(Map.of(
                        // A version every 2 steps of 8 pairs: versions come within seconds of the first votes.
                        Service.TRAINER, Map.of(
                                "livedpo.trainer.batch.size", "8",
                                "livedpo.trainer.batch.max-wait", "2s",
                                "livedpo.trainer.checkpoint.every-steps", "2",
                                "livedpo.trainer.checkpoint.every", "60s",
                                "livedpo.trainer.dpo.warmup-steps", "0",
                                "livedpo.trainer.kl.budget", String.valueOf(KL_BUDGET)),
                        Service.FEEDBACK, Map.of("livedpo.feedback.pairing.punctuate-interval", "1s")));
        VoteLedger ledger = new VoteLedger();
        try (LocalStack stack = LocalStack.start(settings)) {
            assertServingRendersTheChatTemplate(settings.servingUrl(), model);

            // Mostly A/B choices: each is a pair at once, so versions follow quickly.
            UserTraffic.Settings traffic = new UserTraffic.Settings(settings.servingUrl(), settings.feedbackUrl(),
                    20, 6, 0.8, 24, 8, 23L);
            try (UserTraffic users = new UserTraffic(traffic, ledger)) {
                users.start();
                Poll.until(SERVED_VERSIONS + " trained versions served", DEADLINE,
                        () -> servedTrainedVersions(ledger) >= SERVED_VERSIONS, () -> null);
            }
            assertTrue(EndToEndIT.activatedPushes(settings.managementUrl(Service.TRAINER)) >= 1, "no checkpoint push was activated by serving");

            Path checkpoints = settings.dataDir().resolve("trainer/checkpoints/default");
            List<Path> versions;
            try (var list = Files.list(checkpoints)) {
                versions = list.filter(p -> p.getFileName().toString().matches("v\\d+")).sorted().toList();
            }
            assertFalse(versions.isEmpty(), "no checkpoint under " + checkpoints);
            for (Path v : versions) {
                assertPeftAdapter(v, config);
            }

            long accepted = ledger.acceptedThumbs() + ledger.acceptedChoices();
            Poll.until("feedback accounts for all " + accepted + " accepted votes", Duration.ofSeconds(60),
                    () -> LocalStackIT.accounted(settings.feedbackUrl()) == accepted, () -> null);
        }
    }

    /** Versions above the base (0) that answered a simulated user. */
    private static long servedTrainedVersions(VoteLedger ledger) {
        return ledger.servedVersions().stream().filter(v -> v > 0).count();
    }

    /**
     * Serving's prompt is the model's ChatML rendering: its token count is that of the rendered prompt recorded in
     * expected.json (DemoLlamaModelTest checks that rendering and its ids against the model's own template), and
     * generation stops at the end-of-turn token, which never reaches the answer.
     */
    private static void assertServingRendersTheChatTemplate(String servingUrl, Path model) throws Exception {
        JsonNode recorded = JSON.readTree(model.resolve("expected.json").toFile()).get("chat");
        ObjectNode body = JSON.createObjectNode().put("max_tokens", 48).put("temperature", 0);
        body.putArray("messages").addObject().put("role", "user").put("content", recorded.get("user").asText());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(servingUrl + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = JSON.readTree(r.body());
        assertEquals(recorded.get("prompt_ids").size(), answer.at("/usage/prompt_tokens").asInt(), r.body());
        assertEquals("stop", answer.at("/choices/0/finish_reason").asText(), r.body());
        String content = answer.at("/choices/0/message/content").asText();
        assertFalse(content.isBlank() || content.contains("<|im_"), "answer: " + content);
        assertEquals(0, answer.at("/choices/0/model_version").asLong(), "before any feedback the base serves");
    }

    /**
     * PEFT's layout for a Llama base: adapter_config.json as {@code LoraConfig} writes it, and one lora_A [r, in] and
     * lora_B [out, r] per targeted projection of every layer under {@code base_model.model.model.layers.N.…}; k and v
     * project to the key/value heads only.
     */
    private static void assertPeftAdapter(Path version, JsonNode model) throws IOException {
        JsonNode adapter = JSON.readTree(version.resolve("adapter_config.json").toFile());
        assertEquals("LORA", adapter.path("peft_type").asText(), version.toString());
        assertEquals("CAUSAL_LM", adapter.path("task_type").asText());
        assertFalse(adapter.path("fan_in_fan_out").asBoolean(true), "nn.Linear weights are [out, in]");
        assertFalse(adapter.path("base_model_name_or_path").asText().isEmpty());
        List<String> targets = new ArrayList<>();
        adapter.path("target_modules").forEach(t -> targets.add(t.asText()));
        assertEquals(new HashSet<>(LLAMA_TARGETS), new HashSet<>(targets));
        int r = adapter.path("r").asInt();
        assertTrue(r > 0 && adapter.path("lora_alpha").asDouble() > 0, adapter.toString());

        int c = model.path("hidden_size").asInt();
        int heads = model.path("num_attention_heads").asInt();
        int headDim = model.path("head_dim").asInt(c / heads);
        int kv = model.path("num_key_value_heads").asInt() * headDim;
        int inter = model.path("intermediate_size").asInt();
        Map<String, int[]> inOut = Map.of("self_attn.q_proj", new int[] {c, heads * headDim},
                "self_attn.k_proj", new int[] {c, kv}, "self_attn.v_proj", new int[] {c, kv},
                "self_attn.o_proj", new int[] {heads * headDim, c}, "mlp.gate_proj", new int[] {c, inter},
                "mlp.up_proj", new int[] {c, inter}, "mlp.down_proj", new int[] {inter, c});
        Map<String, List<Integer>> expected = new HashMap<>();
        for (int layer = 0; layer < model.path("num_hidden_layers").asInt(); layer++) {
            for (Map.Entry<String, int[]> p : inOut.entrySet()) {
                String prefix = "base_model.model.model.layers." + layer + "." + p.getKey();
                expected.put(prefix + ".lora_A.weight", List.of(r, p.getValue()[0]));
                expected.put(prefix + ".lora_B.weight", List.of(p.getValue()[1], r));
            }
        }
        assertEquals(expected, safetensorsShapes(version.resolve("adapter_model.safetensors")), version.toString());
    }

    /** Tensor name → shape, from the safetensors header (8-byte little-endian length, then JSON). */
    static Map<String, List<Integer>> safetensorsShapes(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long length = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            JsonNode header = JSON.readTree(in.readNBytes(Math.toIntExact(length)));
            Map<String, List<Integer>> shapes = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("__metadata__")) {
                    List<Integer> shape = new ArrayList<>();
                    e.getValue().path("shape").forEach(d -> shape.add(d.asInt()));
                    shapes.put(e.getKey(), shape);
                }
            }
            return shapes;
        }
    }
}
