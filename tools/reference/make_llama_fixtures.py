"""Regenerates the tiny Llama-family test fixtures for libs/policy (deterministic; token ids, no tokenizer).

    python3 tools/reference/make_llama_fixtures.py

| dir | what it covers |
| --- | --- |
| tiny-llama       | llama, F32, GQA (4 query / 2 kv heads), attention_bias (q/k/v/o), untied lm_head, rope_scaling llama3 |
| tiny-qwen2-bf16  | qwen2, BF16, sharded (index + 2 shards), q/k/v bias, tied lm_head (stored too), rope linear, MQA (1 kv head) |
| tiny-llama-lora  | PEFT LoRA adapter (r 4, alpha 8, all 7 projections) for tiny-llama; expectations with it merged |
"""
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as io  # noqa: E402  (safetensors read/write, bf16 rounding)
import llama_reference as ref  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "libs", "policy", "src", "test", "resources", "fixtures")
DIRS = ("tiny-llama", "tiny-qwen2-bf16", "tiny-llama-lora")
SEED = 20261201
V, C, I, L, POS = 96, 32, 48, 2, 64
LORA_R, LORA_ALPHA = 4, 8
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

LLAMA = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": V, "hidden_size": C,
    "intermediate_size": I, "num_hidden_layers": L, "num_attention_heads": 4, "num_key_value_heads": 2,
    "max_position_embeddings": POS, "hidden_act": "silu", "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
    "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 64},
    "attention_bias": True, "mlp_bias": False, "tie_word_embeddings": False, "bos_token_id": 1,
    "eos_token_id": [2, 3], "torch_dtype": "float32",
}
QWEN2 = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": V, "hidden_size": C,
    "intermediate_size": I, "num_hidden_layers": L, "num_attention_heads": 4, "num_key_value_heads": 1,
    "max_position_embeddings": POS, "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
    "rope_scaling": {"type": "linear", "factor": 2.0}, "use_sliding_window": False, "sliding_window": 4096,
    "max_window_layers": 21, "tie_word_embeddings": True, "bos_token_id": 1, "eos_token_id": 2,
    "torch_dtype": "bfloat16",
}


def make_weights(rng, cfg):
    """float32 weights by checkpoint name; biases as the family has them."""
    H, KV, D = cfg["num_attention_heads"], cfg["num_key_value_heads"], ref.head_dim(cfg)
    qwen = cfg["model_type"] == "qwen2"
    qkv_bias = qwen or cfg.get("attention_bias", False)
    o_bias = not qwen and cfg.get("attention_bias", False)

    def mat(*shape):
        return rng.normal(0.0, 0.2, size=shape).astype(np.float32)

    def norm():
        return (1.0 + rng.normal(0.0, 0.1, size=C)).astype(np.float32)

    w = {"model.embed_tokens.weight": mat(V, C)}

    def lin(name, out, inp, bias):
        w[name + ".weight"] = mat(out, inp)
        if bias:
            w[name + ".bias"] = rng.normal(0.0, 0.1, size=out).astype(np.float32)

    for i in range(L):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm()
        lin(p + "self_attn.q_proj", H * D, C, qkv_bias)
        lin(p + "self_attn.k_proj", KV * D, C, qkv_bias)
        lin(p + "self_attn.v_proj", KV * D, C, qkv_bias)
        lin(p + "self_attn.o_proj", C, H * D, o_bias)
        w[p + "post_attention_layernorm.weight"] = norm()
        lin(p + "mlp.gate_proj", I, C, False)
        lin(p + "mlp.up_proj", I, C, False)
        lin(p + "mlp.down_proj", C, I, False)
    w["model.norm.weight"] = norm()
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = mat(V, C)
    return w


def make_cases(rng):
    """(prompt_ids, completion_ids) of different lengths, ids avoiding 0..3 (pad/bos/eos)."""
    lengths = [(5, 7), (12, 3), (1, 9), (20, 20), (3, 1)]
    return [(rng.integers(4, V, size=p).tolist(), rng.integers(4, V, size=c).tolist()) for p, c in lengths]


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def expectations(w, cfg, cases, greedy_prompts, description):
    out_cases = []
    for p_ids, c_ids in cases:
        lps = ref.completion_logprobs(w, cfg, p_ids, c_ids)
        out_cases.append({"prompt_ids": p_ids, "completion_ids": c_ids, "token_logprobs": lps,
                          "logprob": float(sum(lps))})
    greedy = []
    for p_ids in greedy_prompts:
        new_ids, margins = ref.greedy(w, cfg, p_ids, 8)
        greedy.append({"prompt_ids": p_ids, "new_ids": new_ids, "min_top2_logit_margin": min(margins)})
    ids = cases[3][0] + cases[3][1]
    return {"description": description, "cases": out_cases, "greedy": greedy,
            "logits": {"ids": ids, "last_position_logits": [float(x) for x in ref.forward(w, cfg, ids)[-1]]}}


def stable_greedy_prompts(rng, w, cfg, n):
    """Prompts whose 8 greedy steps never come near a tie (Java computes in float32) nor reach pad/bos/eos."""
    out = []
    while len(out) < n:
        p = rng.integers(4, V, size=int(rng.integers(2, 10))).tolist()
        new, margins = ref.greedy(w, cfg, p, 8)
        if min(margins) > 5e-2 and min(new) >= 4:  # no eos: Java stops there
            out.append(p)
    return out


def read_back(paths):
    t = {}
    for path in paths:
        t.update(io.read_safetensors(path)[1])
    return {k: io.to_f64(dt, a) for k, (dt, a) in t.items()}


def main():
    for name in DIRS:
        shutil.rmtree(os.path.join(OUT, name), ignore_errors=True)
    rng = np.random.default_rng(SEED)
    cases = make_cases(rng)

    # tiny-llama: one F32 file
    d = os.path.join(OUT, "tiny-llama")
    os.makedirs(d)
    w32 = make_weights(rng, LLAMA)
    io.write_safetensors(os.path.join(d, "model.safetensors"), {k: ("F32", v) for k, v in w32.items()},
                         {"format": "pt"})
    write_json(os.path.join(d, "config.json"), LLAMA)
    wl = read_back([os.path.join(d, "model.safetensors")])
    greedy_prompts = stable_greedy_prompts(rng, wl, LLAMA, 3)
    exp_llama = expectations(wl, LLAMA, cases, greedy_prompts,
                             "tiny random Llama: F32, GQA 4/2, attention_bias, untied lm_head, rope llama3")
    write_json(os.path.join(d, "expected.json"), exp_llama)

    # tiny-llama-lora: PEFT adapter for tiny-llama, non-zero B so it visibly changes outputs
    d = os.path.join(OUT, "tiny-llama-lora")
    os.makedirs(d)
    lora = {}
    for name, arr in w32.items():
        module = name[:-len(".weight")]
        if name.endswith(".weight") and module.split(".")[-1] in LORA_TARGETS:
            out_f, in_f = arr.shape
            lora[f"base_model.model.{module}.lora_A.weight"] = (
                "F32", rng.normal(0.0, 0.2, size=(LORA_R, in_f)).astype(np.float32))
            lora[f"base_model.model.{module}.lora_B.weight"] = (
                "F32", rng.normal(0.0, 0.1, size=(out_f, LORA_R)).astype(np.float32))
    io.write_safetensors(os.path.join(d, "adapter_model.safetensors"), lora, {"format": "pt"})
    write_json(os.path.join(d, "adapter_config.json"), {
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": LORA_R, "lora_alpha": LORA_ALPHA, "lora_dropout": 0.0,
        "bias": "none", "fan_in_fan_out": False, "target_modules": LORA_TARGETS,
        "base_model_name_or_path": "tiny-llama", "inference_mode": True})
    lora_back = io.read_safetensors(os.path.join(d, "adapter_model.safetensors"))[1]
    merged = ref.apply_lora(wl, lora_back, LORA_R, LORA_ALPHA)
    exp_lora = expectations(merged, LLAMA, cases, stable_greedy_prompts(rng, merged, LLAMA, 2),
                            "tiny-llama + LoRA (r=4, alpha=8, all projections, merged in float64)")
    write_json(os.path.join(d, "expected.json"), exp_lora)

    # tiny-qwen2-bf16: BF16 in two shards with an index; lm_head stored although tied (HF ignores it)
    d = os.path.join(OUT, "tiny-qwen2-bf16")
    os.makedirs(d)
    wq = make_weights(rng, QWEN2)
    bf16 = {k: ("BF16", io.f32_to_bf16_bits(v)) for k, v in wq.items()}
    bf16["lm_head.weight"] = bf16["model.embed_tokens.weight"]
    names = sorted(bf16)
    shards = {"model-00001-of-00002.safetensors": [n for n in names if not n.startswith("model.layers.1.")],
              "model-00002-of-00002.safetensors": [n for n in names if n.startswith("model.layers.1.")]}
    weight_map = {}
    for shard, keys in shards.items():
        io.write_safetensors(os.path.join(d, shard), {k: bf16[k] for k in keys}, {"format": "pt"})
        weight_map.update({k: shard for k in keys})
    write_json(os.path.join(d, "model.safetensors.index.json"),
               {"metadata": {"total_size": sum(bf16[k][1].nbytes for k in names)}, "weight_map": weight_map})
    write_json(os.path.join(d, "config.json"), QWEN2)
    wqb = read_back([os.path.join(d, s) for s in shards])
    exp_qwen = expectations(wqb, QWEN2, cases, stable_greedy_prompts(rng, wqb, QWEN2, 3),
                            "tiny random Qwen2: BF16 sharded, q/k/v bias, tied lm_head, rope linear x2, MQA 4/1")
    write_json(os.path.join(d, "expected.json"), exp_qwen)

    # sanity: the features move the numbers, and log-probs are log-probs
    for e in (exp_llama, exp_lora, exp_qwen):
        assert all(lp <= 0 for c in e["cases"] for lp in c["token_logprobs"])
    diff = max(abs(a - b) for c0, c1 in zip(exp_llama["cases"], exp_lora["cases"])
               for a, b in zip(c0["token_logprobs"], c1["token_logprobs"]))
    assert diff > 1e-2, diff
    no_scaling = dict(LLAMA, rope_scaling=None)
    d_rope = np.abs(ref.forward(wl, no_scaling, exp_llama["logits"]["ids"])[-1]
                    - np.array(exp_llama["logits"]["last_position_logits"])).max()
    assert d_rope > 1e-3, d_rope  # llama3 scaling changes the logits this fixture checks
    total = sum(os.path.getsize(os.path.join(p, f)) for n in DIRS for p, _, fs in os.walk(os.path.join(OUT, n))
                for f in fs)
    print(f"lora max |dlogprob| = {diff:.3e}, rope-scaling max |dlogit| = {d_rope:.3e}, total_bytes={total}")
    assert total < 600_000


if __name__ == "__main__":
    main()
