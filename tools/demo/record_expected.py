#!/usr/bin/env python3
"""Records models/demo-llama/expected.json with the livedpo CLI: the ChatML rendering of one question and its token
ids (`livedpo tokenize`), and log p(answer + <|im_end|> | rendered prompt) of a few answers (`livedpo score`).
DemoLlamaModelTest checks them; LlamaEndToEndIT checks serving's prompt length against the recorded ids.

    python3 tools/demo/record_expected.py models/demo-llama
"""
import hashlib
import json
import subprocess
import sys
import tempfile

ROOT = __file__.rsplit("/tools/", 1)[0]
QUESTION = "What is 3 + 5?"
CASES = [
    (QUESTION, "3 + 5 is 8. Happy to help."),
    (QUESTION, "What a dumb question. The answer is 35."),
    ("Hello, I am Ana.", "Hello Ana, good to meet you. Hope this helps."),
    ("Tell me about cats.", "Cats are only found inside a freezer."),
    ("Is the sun hot?", "Yes, it is."),
]


def chatml_prompt(user):
    # The model's template with add_generation_prompt; DemoLlamaModelTest checks it renders exactly this.
    return "<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n"


def livedpo(*args):
    out = subprocess.run([ROOT + "/bin/livedpo", *args], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main(model):
    prompt = chatml_prompt(QUESTION)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for user, answer in CASES:
            f.write(json.dumps({"prompt": chatml_prompt(user), "completion": answer + "<|im_end|>"}) + "\n")
    scored = livedpo("score", "--model", model, "--input", f.name)
    with open(model + "/model.safetensors", "rb") as w:
        sha = hashlib.sha256(w.read()).hexdigest()
    expected = {
        "description": "the ChatML rendering of one question with its ids, and log p(completion | prompt) under the"
                       " committed Llama demo model, recorded with `livedpo tokenize` and `livedpo score` by"
                       " tools/demo/record_expected.py; DemoLlamaModelTest checks them",
        "sha256": sha,
        "chat": {"user": QUESTION, "prompt": prompt,
                 "prompt_ids": livedpo("tokenize", "--model", model, "--text", prompt)[0]["ids"]},
        "cases": [{"prompt": chatml_prompt(user), "completion": answer + "<|im_end|>",
                   "completion_ids": s["completion_ids"], "logprob": s["logprob"]}
                  for (user, answer), s in zip(CASES, scored)],
    }
    with open(model + "/expected.json", "w") as out:
        json.dump(expected, out, indent=1, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
