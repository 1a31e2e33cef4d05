"""Regenerates the tiny GPT-2 test fixtures for libs/policy (deterministic).

    python3 tools/reference/make_fixtures.py
"""
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "libs", "policy", "src", "test", "resources", "fixtures")
DIRS = ("tiny-gpt2", "tiny-gpt2-noprefix-f16", "tiny-gpt2-bf16", "tiny-gpt2-lora")
SEED = 20240601
NUM_MERGES = 150
N_EMBD, N_LAYER, N_HEAD, N_POS = 32, 2, 4, 64
LORA_R, LORA_ALPHA = 4, 8
LORA_TARGETS = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"]

CORPUS = """
User: Hello! Assistant: Hello! How can I help you today?
User: Hi there. Assistant: Hi! It's nice to meet you. What can I do for you?
User: Good morning. Assistant: Good morning! I hope you are having a good day.
User: Thank you! Assistant: You're welcome. Let me know if there is anything else I can help with.
User: What is 2 + 2? Assistant: 2 + 2 is 4.
User: What is 7 times 8? Assistant: 7 times 8 is 56.
User: What is 12 plus 30? Assistant: 12 plus 30 is 42.
User: What is 100 minus 1? Assistant: 100 minus 1 is 99.
User: What is half of 10? Assistant: Half of 10 is 5.
User: How do I boil an egg? Assistant: To boil an egg, put the egg in a pot of water, bring the water to a boil,
and let it cook for nine minutes. Then put the egg in cold water and peel it.
User: How do I make tea? Assistant: To make tea, boil some water, put the tea bag in a cup,
and pour the hot water over it. Let it steep for three minutes, then take the bag out.
User: How do I reset my password? Assistant: To reset your password, open the settings page,
click on the account tab, and choose the option to reset the password. You will get an email with a link.
User: How do I learn to code? Assistant: The best way to learn to code is to write code every day.
Start with a small project, read the documentation, and ask questions when you are stuck.
User: Can you help me write an email? Assistant: Of course! Tell me who the email is for and what you want to say,
and I will help you write it.
User: What is the capital of France? Assistant: The capital of France is Paris.
User: What is the weather like today? Assistant: I can't check the weather, but you can look at a weather app
or a website to see the forecast for today.
User: Tell me a joke. Assistant: Why did the math book look sad? Because it had too many problems.
User: How many days are in a week? Assistant: There are 7 days in a week.
User: How many minutes are in an hour? Assistant: There are 60 minutes in an hour.
User: What is the square root of 81? Assistant: The square root of 81 is 9.
User: Can you explain what a function is? Assistant: A function is a piece of code that takes some input,
does some work, and returns a result. You can call the function again and again with different input.
User: Thanks for the help! Assistant: You're welcome! Have a great day.
User: Goodbye. Assistant: Goodbye! It was nice to help you today.
"""

CASES = [
    ("User: Hello!\nAssistant:", " Hello! How can I help you today?"),
    ("User: What is 2 + 2?\nAssistant:", " 4"),
    ("User: What is 7 times 8?\nAssistant:", " 7 times 8 is 56."),
    ("User: How do I make tea?\nAssistant:",
     " To make tea, boil some water, put the tea bag in a cup, and pour the hot water over it."),
    ("Hi", " there"),
    ("User: Tell me a joke.\nAssistant:", " Why did the café close? Too many problems 🙂\n\nThanks!"),
]

GREEDY_PROMPTS = [
    "User: Hello!\nAssistant:",
    "User: What is 12 plus 30?\nAssistant: 12 plus 30 is",
    "User: What is the capital of France?\nAssistant:",
    "Good morning",
]

LOGITS_TEXT = "User: How many days are in a week?\nAssistant: There are"

TOKENIZE_TEXTS = [
    "Hello, world!",
    "How do I boil an egg? Put the egg in boiling water for 9 minutes.",
    "It's 12+30=42, isn't it? I'll say we've done 1000 things they'd like.",
    "Café crème, naïve façade — déjà vu. Ünïcödé ÀÉÎÕÜ ß",
    "cafe\u0301 (decomposed accent)",
    "日本語のテキスト 你好，世界！",
    "Emoji: 🙂👍🏽 and 🎉🎉!",
    "line one\nline two\n\nline four\n",
    "double  spaces   here and trailing  ",
    "  leading spaces\tand\ttabs",
    "",
]

# Added tokens are split out of raw text by tokenizers even without add_special_tokens.
TOKENIZE_SPECIAL_TEXTS = [
    "Hello<|endoftext|>World",
    "<|endoftext|>",
]


def make_tokenizer():
    merges = ref.train_bpe(CORPUS, NUM_MERGES)
    assert len(merges) == NUM_MERGES, len(merges)
    return ref.ByteLevelBPE(ref.build_vocab(merges), merges)


def make_weights(rng, vocab_size):
    """float32 HF-layout weights, names without the `transformer.` prefix."""
    C = N_EMBD

    def mat(*shape):
        return rng.normal(0.0, 0.2, size=shape).astype(np.float32)

    def bias(n):
        return rng.normal(0.0, 0.05, size=n).astype(np.float32)

    def ln_w(n):
        return (1.0 + rng.normal(0.0, 0.05, size=n)).astype(np.float32)

    w = {"wte.weight": mat(vocab_size, C), "wpe.weight": mat(N_POS, C)}
    for i in range(N_LAYER):
        p = f"h.{i}."
        w[p + "ln_1.weight"], w[p + "ln_1.bias"] = ln_w(C), bias(C)
        w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"] = mat(C, 3 * C), bias(3 * C)
        w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"] = mat(C, C), bias(C)
        w[p + "ln_2.weight"], w[p + "ln_2.bias"] = ln_w(C), bias(C)
        w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"] = mat(C, 4 * C), bias(4 * C)
        w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"] = mat(4 * C, C), bias(C)
    w["ln_f.weight"], w["ln_f.bias"] = ln_w(C), bias(C)
    return w


def make_lora(rng, C):
    shapes = {"attn.c_attn": (C, 3 * C), "attn.c_proj": (C, C), "mlp.c_fc": (C, 4 * C),
              "mlp.c_proj": (4 * C, C)}
    t = {}
    for i in range(N_LAYER):
        for mod in LORA_TARGETS:
            fan_in, fan_out = shapes[mod]
            name = f"base_model.model.transformer.h.{i}.{mod}"
            t[name + ".lora_A.weight"] = ("F32", rng.normal(0.0, 0.2, size=(LORA_R, fan_in)).astype(np.float32))
            # Non-zero B (PEFT initialises it to zero) so the adapter visibly changes outputs.
            t[name + ".lora_B.weight"] = ("F32", rng.normal(0.0, 0.1, size=(fan_out, LORA_R)).astype(np.float32))
    return t


def config(vocab_size, eos_id, torch_dtype):
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": vocab_size,
        "n_positions": N_POS,
        "n_ctx": N_POS,
        "n_embd": N_EMBD,
        "n_layer": N_LAYER,
        "n_head": N_HEAD,
        "n_inner": None,
        "activation_function": "gelu_new",
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attn_pdrop": 0.0,
        "layer_norm_epsilon": 1e-05,
        "initializer_range": 0.02,
        "scale_attn_weights": True,
        "bos_token_id": eos_id,
        "eos_token_id": eos_id,
        "tie_word_embeddings": True,
        "torch_dtype": torch_dtype,
    }


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def expectations(w, cfg, tok, description):
    cases = []
    for prompt, completion in CASES:
        p_ids, c_ids = tok.encode(prompt), tok.encode(completion)
        assert len(p_ids) + len(c_ids) <= cfg["n_positions"]
        lps = ref.completion_logprobs(w, cfg, p_ids, c_ids)
        cases.append({"prompt": prompt, "completion": completion, "prompt_ids": p_ids,
                      "completion_ids": c_ids, "token_logprobs": lps, "logprob": float(sum(lps))})
    greedy = []
    for prompt in GREEDY_PROMPTS:
        p_ids = tok.encode(prompt)
        new_ids, margins = ref.greedy(w, cfg, p_ids, 8)
        # Java computes in float32; a near-tie would make the argmax fixture flaky.
        assert min(margins) > 1e-2, (description, prompt, margins)
        greedy.append({"prompt": prompt, "prompt_ids": p_ids, "new_ids": new_ids,
                       "min_top2_logit_margin": min(margins)})
    l_ids = tok.encode(LOGITS_TEXT)
    logits = ref.forward(w, cfg, l_ids)
    return {
        "description": description,
        "cases": cases,
        "greedy": greedy,
        "tokenize": [{"text": t, "ids": tok.encode(t)} for t in TOKENIZE_TEXTS],
        "tokenize_special": [{"text": t, "ids": tok.encode_with_special(t)} for t in TOKENIZE_SPECIAL_TEXTS],
        "logits": {"text": LOGITS_TEXT, "ids": l_ids,
                   "last_position_logits": [float(x) for x in logits[-1]]},
    }


def write_model_dir(name, tensors, cfg, tok, description):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.safetensors")
    ref.write_safetensors(path, tensors, {"format": "pt"})
    _, back = ref.read_safetensors(path)
    for k, (dt, arr) in tensors.items():  # reader must return exactly what the writer wrote
        assert back[k][0] == dt and back[k][1].shape == np.shape(arr)
        assert back[k][1].tobytes() == np.ascontiguousarray(arr).tobytes(), k
    write_json(os.path.join(d, "config.json"), cfg)
    write_json(os.path.join(d, "tokenizer.json"), tok.to_tokenizer_json())
    write_json(os.path.join(d, "tokenizer_config.json"),
               {"model_max_length": N_POS, "eos_token": ref.EOT, "bos_token": ref.EOT})
    w = ref.normalize_weights(back)
    exp = expectations(w, cfg, tok, description)
    write_json(os.path.join(d, "expected.json"), exp)
    return w, exp


def sanity_checks(tok, w, cfg, exps):
    tj = json.load(open(os.path.join(OUT, "tiny-gpt2", "tokenizer.json"), encoding="utf-8"))
    tok2 = ref.ByteLevelBPE.from_tokenizer_json(tj)
    for t in TOKENIZE_TEXTS + [s for c in CASES for s in c] + GREEDY_PROMPTS + [LOGITS_TEXT]:
        assert tok2.encode(t) == tok.encode(t)
        assert tok.decode(tok.encode(t)) == t, t
    for t in TOKENIZE_SPECIAL_TEXTS:
        assert tok.decode(tok.encode_with_special(t)) == t
    assert any(i >= 256 for c in exps["f32"]["tokenize"] for i in c["ids"]), "no merges used"
    probs = ref.softmax(ref.forward(w, cfg, tok.encode(CASES[3][0] + CASES[3][1])))
    assert np.allclose(probs.sum(-1), 1.0, atol=1e-12)
    for e in exps.values():
        for c in e["cases"]:
            assert all(lp <= 0 for lp in c["token_logprobs"]) and c["logprob"] <= 0
    base = exps["f32"]["cases"]
    for key in ("f16", "bf16", "lora"):
        diffs = [abs(a - b) for c0, c1 in zip(base, exps[key]["cases"])
                 for a, b in zip(c0["token_logprobs"], c1["token_logprobs"])]
        print(f"  {key}: max |dlogprob| vs f32 = {max(diffs):.3e}")
        assert max(diffs) > 0
    # bf16 rounding is round-to-nearest-even, incl. the tie case
    assert ref.f32_to_bf16_bits(np.array([1.00390625], np.float32))[0] == 0x3F80  # tie -> even
    assert ref.f32_to_bf16_bits(np.array([1.01171875], np.float32))[0] == 0x3F82  # tie -> even (up)


def main():
    for name in DIRS:  # only this script's fixtures: make_llama_fixtures.py writes beside them
        shutil.rmtree(os.path.join(OUT, name), ignore_errors=True)
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    tok = make_tokenizer()
    V = len(tok.vocab)
    eos = tok.vocab[ref.EOT]
    assert eos == V - 1
    w32 = make_weights(rng, V)
    lora = make_lora(rng, N_EMBD)
    exps = {}

    cfg = config(V, eos, "float32")
    w, exps["f32"] = write_model_dir(
        "tiny-gpt2", {"transformer." + k: ("F32", v) for k, v in w32.items()}, cfg, tok,
        "tiny random GPT-2, F32, `transformer.` prefix, tied lm_head")

    f16 = {k: ("F16", v.astype(np.float16)) for k, v in w32.items()}
    causal = np.tril(np.ones((N_POS, N_POS), dtype=np.float16)).reshape(1, 1, N_POS, N_POS)
    for i in range(N_LAYER):  # legacy buffers from original GPT-2 checkpoints; must be ignored
        f16[f"h.{i}.attn.bias"] = ("F16", causal)
        f16[f"h.{i}.attn.masked_bias"] = ("F16", np.array(-1e4, dtype=np.float16))
    _, exps["f16"] = write_model_dir(
        "tiny-gpt2-noprefix-f16", f16, config(V, eos, "float16"), tok,
        "same weights rounded to F16, no prefix, legacy attn.bias/masked_bias buffers")

    bf16 = {"transformer." + k: ("BF16", ref.f32_to_bf16_bits(v)) for k, v in w32.items()}
    bf16["lm_head.weight"] = bf16["transformer.wte.weight"]
    _, exps["bf16"] = write_model_dir(
        "tiny-gpt2-bf16", bf16, config(V, eos, "bfloat16"), tok,
        "same weights rounded to BF16 (RNE), prefix, explicit lm_head.weight == wte")

    d = os.path.join(OUT, "tiny-gpt2-lora")
    os.makedirs(d)
    write_json(os.path.join(d, "adapter_config.json"), {
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": LORA_R, "lora_alpha": LORA_ALPHA,
        "lora_dropout": 0.0, "bias": "none", "fan_in_fan_out": True, "target_modules": LORA_TARGETS,
        "base_model_name_or_path": "tiny-gpt2", "inference_mode": True})
    path = os.path.join(d, "adapter_model.safetensors")
    ref.write_safetensors(path, lora, {"format": "pt"})
    _, lora_back = ref.read_safetensors(path)
    wl = ref.apply_lora(w, lora_back, LORA_R, LORA_ALPHA)
    exps["lora"] = expectations(wl, cfg, tok, "tiny-gpt2 + LoRA (r=4, alpha=8, merged in float64)")
    write_json(os.path.join(d, "expected.json"), exps["lora"])

    sanity_checks(tok, w, cfg, exps)
    total = 0
    for dirpath, _, files in (w for d in DIRS for w in os.walk(os.path.join(OUT, d))):
        for f in sorted(files):
            total += os.path.getsize(os.path.join(dirpath, f))
    print(f"vocab_size={V} eos_id={eos} total_bytes={total}")
    assert total < 1_500_000


if __name__ == "__main__":
    main()
