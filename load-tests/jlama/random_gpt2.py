#!/usr/bin/env python3
"""A random-weight GPT-2-small directory (config.json, model.safetensors in F32, tokenizer.json) for the side-by-side
decode of load-tests/jlama-side-by-side.sh: nothing downloaded, the same files for both engines.

The tokenizer is a byte-level BPE with GPT-2's vocabulary size (256 byte symbols, 50,000 merges of symbol pairs,
<|endoftext|> = 50256): real enough for both engines to load, and the model is GPT-2 small's shape exactly.

    python3 random_gpt2.py OUTDIR [SEED]
"""
import json
import os
import struct
import sys

import numpy as np

V, P, C, L, H = 50257, 1024, 768, 12, 12


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def tokenizer():
    symbols = bytes_to_unicode()
    vocab = {s: i for i, s in enumerate(symbols)}
    merges = []
    # Pairs in an order that puts letters and the space marker first, so common text merges early.
    order = sorted(symbols, key=lambda s: (not (s.isalpha() and s.isascii() or s == "Ġ"), s))
    for a in order:
        for b in order:
            if len(merges) == V - 1 - 256:
                break
            merges.append(a + " " + b)
            vocab[a + b] = len(vocab)
    eos = "<|endoftext|>"
    vocab[eos] = V - 1
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": V - 1, "content": eos, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": True, "special": True}],
        "normalizer": None, "pre_tokenizer": byte_level, "post_processor": byte_level, "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                  "merges": merges},
    }


def weights(seed):
    rng = np.random.default_rng(seed)
    normal = lambda std, *shape: (rng.standard_normal(shape, dtype=np.float32) * np.float32(std))
    residual = float(0.02 / np.sqrt(2.0 * L))
    w = {"wte.weight": normal(0.02, V, C), "wpe.weight": normal(0.01, P, C)}
    for i in range(L):
        p = f"h.{i}."
        w[p + "ln_1.weight"], w[p + "ln_1.bias"] = np.ones(C, np.float32), np.zeros(C, np.float32)
        w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"] = normal(0.02, C, 3 * C), np.zeros(3 * C, np.float32)
        w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"] = normal(residual, C, C), np.zeros(C, np.float32)
        w[p + "ln_2.weight"], w[p + "ln_2.bias"] = np.ones(C, np.float32), np.zeros(C, np.float32)
        w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"] = normal(0.02, C, 4 * C), np.zeros(4 * C, np.float32)
        w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"] = normal(residual, 4 * C, C), np.zeros(C, np.float32)
    w["ln_f.weight"], w["ln_f.bias"] = np.ones(C, np.float32), np.zeros(C, np.float32)
    return w


def write_safetensors(path, tensors):
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    tensors = {name: np.ascontiguousarray(a, dtype="<f4") for name, a in tensors.items()}
    for name, a in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for a in tensors.values():
            f.write(a.tobytes())


def main():
    out, seed = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    os.makedirs(out, exist_ok=True)
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": V, "n_positions": P,
              "n_ctx": P, "n_embd": C, "n_layer": L, "n_head": H, "n_inner": None, "layer_norm_epsilon": 1e-5,
              "activation_function": "gelu_new", "bos_token_id": V - 1, "eos_token_id": V - 1,
              "scale_attn_weights": True, "tie_word_embeddings": True, "torch_dtype": "float32"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer(), f, ensure_ascii=False)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "GPT2Tokenizer", "model_max_length": P, "bos_token": "<|endoftext|>",
                   "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "add_prefix_space": False}, f, indent=2)
    write_safetensors(os.path.join(out, "model.safetensors"), weights(seed))


if __name__ == "__main__":
    main()
