"""Float64 numpy transcription of Hugging Face's LlamaForCausalLM / Qwen2ForCausalLM / MistralForCausalLM
(transformers `modeling_llama.py`, `modeling_qwen2.py`: eager attention, eval mode), for one unpadded sequence.

Weights are a dict of float64 arrays keyed by checkpoint name (`model.layers.0.self_attn.q_proj.weight`, ...).
"""
import math

import numpy as np

import gpt2_reference
from gpt2_reference import softmax, to_f64


def rope_inv_freq(cfg):
    """`ROPE_INIT_FUNCTIONS`: default, linear and llama3 (`_compute_llama3_parameters`)."""
    D = head_dim(cfg)
    inv_freq = 1.0 / (cfg.get("rope_theta", 10000.0) ** (np.arange(0, D, 2, dtype=np.float64) / D))
    scaling = cfg.get("rope_scaling")
    kind = None if scaling is None else scaling.get("rope_type", scaling.get("type"))
    if kind in (None, "default"):
        return inv_freq
    if kind == "linear":
        return inv_freq / scaling["factor"]
    if kind == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv_freq
        llama = np.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * llama / factor + smooth * llama
        medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
        return np.where(medium, smoothed, llama)
    raise ValueError(kind)


def head_dim(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


def rms_norm(x, weight, eps):
    return weight * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def linear(w, name, x):
    y = x @ w[name + ".weight"].T  # nn.Linear stores [out, in]
    return y + w[name + ".bias"] if name + ".bias" in w else y


def silu(x):
    return x / (1.0 + np.exp(-x))


def forward(w, cfg, ids):
    """Logits [T, V] for one unpadded sequence (positions 0..T-1), float64."""
    ids = np.asarray(ids, dtype=np.int64)
    T = len(ids)
    H, KV, D = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"]), head_dim(cfg)
    eps = cfg["rms_norm_eps"]
    assert 0 < T <= cfg["max_position_embeddings"]
    freqs = np.arange(T, dtype=np.float64)[:, None] * rope_inv_freq(cfg)[None, :]  # [T, D/2]
    emb = np.concatenate([freqs, freqs], axis=-1)  # [T, D]
    cos, sin = np.cos(emb), np.sin(emb)
    causal = np.tril(np.ones((T, T), dtype=bool))
    mask_value = np.finfo(np.float64).min
    h = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = linear(w, p + "self_attn.q_proj", a).reshape(T, H, D).transpose(1, 0, 2)  # [H, T, D]
        k = linear(w, p + "self_attn.k_proj", a).reshape(T, KV, D).transpose(1, 0, 2)  # [KV, T, D]
        v = linear(w, p + "self_attn.v_proj", a).reshape(T, KV, D).transpose(1, 0, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, H // KV, axis=0)  # repeat_kv: head h reads kv head h // (H/KV)
        v = np.repeat(v, H // KV, axis=0)
        scores = np.where(causal, q @ k.transpose(0, 2, 1) / math.sqrt(D), mask_value)
        ctx = (softmax(scores) @ v).transpose(1, 0, 2).reshape(T, H * D)
        h = h + linear(w, p + "self_attn.o_proj", ctx)
        m = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        m = silu(linear(w, p + "mlp.gate_proj", m)) * linear(w, p + "mlp.up_proj", m)
        h = h + linear(w, p + "mlp.down_proj", m)
    h = rms_norm(h, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return h @ head.T


def completion_logprobs(w, cfg, prompt_ids, completion_ids):
    """TRL convention: log p(c_j | prompt + c_<j) for each completion token."""
    return gpt2_reference.completion_logprobs(w, cfg, prompt_ids, completion_ids, forward_fn=forward)


def greedy(w, cfg, prompt_ids, n_new):
    """Argmax decoding, full forward each step (no KV cache). Also returns top1-top2 margins."""
    return gpt2_reference.greedy(w, cfg, prompt_ids, n_new, forward_fn=forward)


def apply_lora(w, adapter, r, alpha):
    """Merge a PEFT LoRA adapter into nn.Linear weights (fan_in_fan_out=False): W[out,in] += B @ A * alpha/r, with
    adapter names `base_model.model.<module>.lora_A.weight`."""
    out = dict(w)
    prefix = "base_model.model."
    for name, (dtype, arr) in adapter.items():
        if not name.endswith(".lora_A.weight"):
            continue
        module = name[len(prefix):-len(".lora_A.weight")]
        bdt, barr = adapter[name.replace("lora_A", "lora_B")]
        out[module + ".weight"] = w[module + ".weight"] + to_f64(bdt, barr) @ to_f64(dtype, arr) * (alpha / r)
    return out
