"""Builds the chat-template test fixtures for libs/policy from the tiny GPT-2 fixture (deterministic).

    python3 tools/reference/make_fixtures.py        # first, if tiny-gpt2/ changed
    python3 tools/reference/make_chat_fixtures.py

Writes under libs/policy/src/test/resources/fixtures/:

- chat-tiny/: tiny-gpt2 with two added special tokens, <|im_start|> (407) and <|im_end|> (408), their embedding
  rows appended (seeded), a ChatML-style chat_template in tokenizer_config.json, eos_token_id 406 in config.json
  and [406, 407] in generation_config.json: the end-of-turn token 408 comes from the template alone.
- chat-tokenizer-llama3/: tokenizer files only. Llama 3-style added tokens, a TemplateProcessing post-processor
  that puts <|begin_of_text|> first (so BOS is added), the llama3 golden as chat_template.jinja, which wins over
  the tokenizer_config.json entry.
- chat-tokenizer-bos/: tokenizer files only. <s> and </s> added, add_bos_token true, no chat template.
"""
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "libs", "policy", "src", "test", "resources", "fixtures")
TINY = os.path.join(FIXTURES, "tiny-gpt2")
GOLDENS = os.path.join(FIXTURES, "chat-goldens")
SEED = 20261201


def load(name):
    with open(os.path.join(TINY, name), encoding="utf-8") as f:
        return json.load(f)


def dump(directory, name, value):
    with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def golden(name):
    with open(os.path.join(GOLDENS, name), encoding="utf-8") as f:
        return f.read()


def added(token_id, content):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def fresh(name):
    out = os.path.join(FIXTURES, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    return out


def chat_tiny():
    out = fresh("chat-tiny")
    tokenizer = load("tokenizer.json")
    base_vocab = load("config.json")["vocab_size"]
    tokens = ["<|im_start|>", "<|im_end|>"]
    tokenizer["added_tokens"] += [added(base_vocab + i, t) for i, t in enumerate(tokens)]
    dump(out, "tokenizer.json", tokenizer)

    config = load("config.json")
    config["vocab_size"] = base_vocab + len(tokens)
    dump(out, "config.json", config)
    dump(out, "generation_config.json", {"bos_token_id": 406, "eos_token_id": [406, 407]})
    dump(out, "tokenizer_config.json", {"model_max_length": config["n_positions"], "bos_token": None,
                                        "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                                        "chat_template": golden("chatml.jinja")})

    meta, tensors = ref.read_safetensors(os.path.join(TINY, "model.safetensors"))
    rng = np.random.default_rng(SEED)
    grown = {}
    for name, (dtype, arr) in tensors.items():
        if name.endswith("wte.weight"):
            rows = rng.normal(0.0, 0.02, size=(len(tokens), arr.shape[1])).astype(arr.dtype)
            arr = np.concatenate([arr, rows], axis=0)
        grown[name] = (dtype, arr)
    ref.write_safetensors(os.path.join(out, "model.safetensors"), grown, meta)


def llama3_tokenizer():
    out = fresh("chat-tokenizer-llama3")
    tokenizer = load("tokenizer.json")
    names = ["<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"]
    first = len(tokenizer["model"]["vocab"])
    tokenizer["added_tokens"] += [added(first + i, t) for i, t in enumerate(names)]
    tokenizer["post_processor"] = {
        "type": "Sequence",
        "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                        {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                      {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                      {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [first],
                                                      "tokens": ["<|begin_of_text|>"]}}},
        ],
    }
    dump(out, "tokenizer.json", tokenizer)
    dump(out, "tokenizer_config.json", {"bos_token": "<|begin_of_text|>",
                                        "eos_token": {"__type": "AddedToken", "content": "<|eot_id|>"},
                                        "chat_template": "{{ 'superseded by chat_template.jinja' }}"})
    dump(out, "generation_config.json", {"eos_token_id": [406, first + 1]})
    with open(os.path.join(out, "chat_template.jinja"), "w", encoding="utf-8") as f:
        f.write(golden("llama3.jinja"))


def bos_tokenizer():
    out = fresh("chat-tokenizer-bos")
    tokenizer = load("tokenizer.json")
    first = len(tokenizer["model"]["vocab"])
    tokenizer["added_tokens"] += [added(first, "<s>"), added(first + 1, "</s>")]
    dump(out, "tokenizer.json", tokenizer)
    dump(out, "tokenizer_config.json", {"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": True})
    dump(out, "config.json", {"bos_token_id": first, "eos_token_id": first + 1})


if __name__ == "__main__":
    chat_tiny()
    llama3_tokenizer()
    bos_tokenizer()
    print("wrote chat-tiny, chat-tokenizer-llama3, chat-tokenizer-bos under", os.path.relpath(FIXTURES, ROOT))
