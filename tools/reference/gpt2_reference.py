"""Independent numpy reference for Hugging Face GPT2LMHeadModel and GPT-2 byte-level BPE.

Neither `transformers` nor `tokenizers` can be installed here, so this mirrors
transformers/models/gpt2/modeling_gpt2.py (eager attention, eval mode) in float64
and the GPT-2 / tokenizers ByteLevel+BPE pipeline, so the Java `policy` library has
something independent to be checked against.
"""
import json
import math
import struct
from collections import Counter

import numpy as np
import regex

EOT = "<|endoftext|>"

# GPT-2's pre-tokenizer; identical to tokenizers' ByteLevel(use_regex=True).
PRETOKENIZE_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
_PAT = regex.compile(PRETOKENIZE_PATTERN)


# ----------------------------------------------------------------------------- tokenizer

def bytes_to_unicode():
    """byte -> printable char; dict order is GPT-2's id order for the 256 base symbols."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}


def pretokenize(text):
    return _PAT.findall(text)


def to_byte_level(piece):
    return "".join(BYTE_ENCODER[b] for b in piece.encode("utf-8"))


def _merge_word(symbols, pair, merged):
    out, i = [], 0
    while i < len(symbols):
        if i < len(symbols) - 1 and symbols[i] == pair[0] and symbols[i + 1] == pair[1]:
            out.append(merged)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def train_bpe(corpus, num_merges):
    """Greedy BPE: repeatedly merge the most frequent adjacent pair (ties: smallest pair)."""
    words = Counter(tuple(to_byte_level(p)) for p in pretokenize(corpus))
    merges = []
    while len(merges) < num_merges:
        pairs = Counter()
        for word, freq in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += freq
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if best[1] < 2:
            break
        pair = best[0]
        merges.append(pair)
        words = Counter({_merge_word(w, pair, pair[0] + pair[1]): f for w, f in words.items()})
    return merges


def build_vocab(merges):
    """256 byte symbols (ids 0..255), then one id per merge, then <|endoftext|> last (as GPT-2)."""
    vocab = {ch: i for i, ch in enumerate(BYTE_ENCODER.values())}
    for a, b in merges:
        tok = a + b
        if tok not in vocab:
            vocab[tok] = len(vocab)
    vocab[EOT] = len(vocab)
    return vocab


class ByteLevelBPE:
    def __init__(self, vocab, merges, special_tokens=(EOT,)):
        self.vocab = dict(vocab)
        self.inv_vocab = {i: t for t, i in self.vocab.items()}
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.special_tokens = list(special_tokens)

    def bpe(self, word):
        """Original GPT-2 loop: merge the lowest-rank pair everywhere, repeat."""
        symbols = tuple(word)
        while len(symbols) > 1:
            pairs = set(zip(symbols, symbols[1:]))
            pair = min(pairs, key=lambda p: self.ranks.get(p, math.inf))
            if pair not in self.ranks:
                break
            symbols = _merge_word(symbols, pair, pair[0] + pair[1])
        return list(symbols)

    def encode(self, text):
        """Plain text, no special tokens recognised (what a prompt/completion needs)."""
        ids = []
        for piece in pretokenize(text):
            ids.extend(self.vocab[t] for t in self.bpe(to_byte_level(piece)))
        return ids

    def encode_with_special(self, text):
        """As tokenizers does: added tokens are split out of the raw text before pre-tokenizing."""
        if not self.special_tokens:
            return self.encode(text)
        parts = regex.split("(" + "|".join(regex.escape(s) for s in self.special_tokens) + ")", text)
        ids = []
        for part in parts:
            if part in self.special_tokens:
                ids.append(self.vocab[part])
            elif part:
                ids.extend(self.encode(part))
        return ids

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            tok = self.inv_vocab[i]
            if tok in self.special_tokens:
                out.extend(tok.encode("utf-8"))
            else:
                out.extend(BYTE_DECODER[c] for c in tok)
        return out.decode("utf-8", errors="replace")

    def to_tokenizer_json(self):
        byte_level = {"add_prefix_space": False, "trim_offsets": True, "use_regex": True}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": self.vocab[s], "content": s, "single_word": False, "lstrip": False,
                 "rstrip": False, "normalized": True, "special": True}
                for s in self.special_tokens
            ],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", **byte_level},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                               "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                        "use_regex": True},
            "model": {
                "type": "BPE", "dropout": None, "unk_token": None,
                "continuing_subword_prefix": "", "end_of_word_suffix": "",
                "fuse_unk": False, "byte_fallback": False,
                "vocab": dict(sorted(self.vocab.items(), key=lambda kv: kv[1])),
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }

    @classmethod
    def from_tokenizer_json(cls, tj):
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in tj["model"]["merges"]]
        return cls(tj["model"]["vocab"], merges, [t["content"] for t in tj["added_tokens"]])


# ----------------------------------------------------------------------------- safetensors

_NP_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16}  # BF16 kept as raw bits


def f32_to_bf16_bits(x):
    """Round-to-nearest-even on the float32 bit pattern (what torch's .to(bfloat16) does)."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = u + 0x7FFF + ((u >> 16) & 1)
    return (u >> 16).astype(np.uint16)


def bf16_bits_to_f32(bits):
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: (dtype, ndarray)}; for BF16 the array holds uint16 bit patterns."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        dtype, arr = tensors[name]
        data = np.ascontiguousarray(arr, dtype=_NP_DTYPES[dtype]).astype(
            np.dtype(_NP_DTYPES[dtype]).newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(np.shape(arr)),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * (-len(hbytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for c in chunks:
            f.write(c)


def read_safetensors(path):
    """Returns (metadata, {name: (dtype, ndarray)})."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    meta = header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = np.dtype(_NP_DTYPES[info["dtype"]]).newbyteorder("<")
        out[name] = (info["dtype"], np.frombuffer(data[b:e], dtype=dt).reshape(info["shape"]))
    return meta, out


def to_f64(dtype, arr):
    if dtype == "BF16":
        return bf16_bits_to_f32(arr).astype(np.float64)
    return np.asarray(arr, dtype=np.float64)


# ----------------------------------------------------------------------------- model

def normalize_weights(tensors):
    """safetensors tensors -> float64 dict keyed without `transformer.`; drops legacy buffers
    (attn.bias / attn.masked_bias) and lm_head (tied to wte)."""
    w = {}
    for name, (dtype, arr) in tensors.items():
        key = name[len("transformer."):] if name.startswith("transformer.") else name
        if key.endswith(".attn.bias") or key.endswith(".attn.masked_bias") or key.startswith("lm_head."):
            continue
        w[key] = to_f64(dtype, arr)
    return w


def layer_norm(x, weight, bias, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)  # biased, as torch
    return (x - mu) / np.sqrt(var + eps) * weight + bias


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def conv1d(x, weight, bias):
    return x @ weight + bias  # HF Conv1D stores weight as [in, out]


def log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def softmax(x):
    m = x.max(-1, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(-1, keepdims=True)


def forward(w, cfg, ids):
    """Logits [T, V] for one unpadded sequence, float64."""
    ids = np.asarray(ids, dtype=np.int64)
    T, C, H = len(ids), cfg["n_embd"], cfg["n_head"]
    D, eps = C // H, cfg["layer_norm_epsilon"]
    assert 0 < T <= cfg["n_positions"]
    h = w["wte.weight"][ids] + w["wpe.weight"][np.arange(T)]
    causal = np.tril(np.ones((T, T), dtype=bool))
    mask_value = np.finfo(np.float64).min  # HF: torch.finfo(attn_weights.dtype).min
    for i in range(cfg["n_layer"]):
        p = f"h.{i}."
        a = layer_norm(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = conv1d(a, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"])
        q, k, v = (t.reshape(T, H, D).transpose(1, 0, 2) for t in np.split(qkv, 3, axis=-1))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(D)
        scores = np.where(causal, scores, mask_value)
        ctx = (softmax(scores) @ v).transpose(1, 0, 2).reshape(T, C)
        h = h + conv1d(ctx, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
        m = layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = gelu_new(conv1d(m, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]))
        h = h + conv1d(m, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
    h = layer_norm(h, w["ln_f.weight"], w["ln_f.bias"], eps)
    return h @ w["wte.weight"].T  # tied lm_head


def completion_logprobs(w, cfg, prompt_ids, completion_ids, forward_fn=None):
    """TRL convention: log p(c_j | prompt + c_<j) for each completion token (under `forward_fn`, GPT-2 by default)."""
    ids = list(prompt_ids) + list(completion_ids)
    lp = log_softmax((forward_fn or forward)(w, cfg, ids))
    P = len(prompt_ids)
    return [float(lp[P + j - 1, t]) for j, t in enumerate(completion_ids)]


def greedy(w, cfg, prompt_ids, n_new, forward_fn=None):
    """Argmax decoding, full forward each step (no KV cache). Also returns top1-top2 margins."""
    ids, new, margins = list(prompt_ids), [], []
    for _ in range(n_new):
        last = (forward_fn or forward)(w, cfg, ids)[-1]
        order = np.argsort(-last, kind="stable")
        margins.append(float(last[order[0]] - last[order[1]]))
        new.append(int(order[0]))
        ids.append(int(order[0]))
    return new, margins


def apply_lora(w, adapter, r, alpha):
    """Merge a PEFT LoRA adapter. GPT-2 uses Conv1D (fan_in_fan_out=True), so
    W[in,out] += (B @ A)^T * alpha/r with A [r,in], B [out,r]."""
    out = dict(w)
    scale = alpha / r
    prefix = "base_model.model.transformer."
    for name, (dtype, arr) in adapter.items():
        if not name.endswith(".lora_A.weight"):
            continue
        module = name[len(prefix):-len(".lora_A.weight")]
        A = to_f64(dtype, arr)
        bdt, barr = adapter[name.replace("lora_A", "lora_B")]
        delta = to_f64(bdt, barr) @ A  # [out, in]
        out[module + ".weight"] = w[module + ".weight"] + delta.T * scale
    return out
