"""Renders the golden chat templates with Python's jinja2 configured as transformers' apply_chat_template does.

    python3 tools/reference/chat_goldens.py

Reads fixtures/chat-goldens/cases.json and the *.jinja templates beside it and writes expected.json there: for each
case the rendered text, or the message of the exception raise_exception threw. The Java test ChatTemplateGoldenTest
renders the same cases with LiveDPO's engine and compares byte for byte. Needs only jinja2 (Debian python3-jinja2).
"""
import json
import os

from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIR = os.path.join(ROOT, "libs", "policy", "src", "test", "resources", "fixtures", "chat-goldens")


class TemplateRaised(Exception):
    pass


def raise_exception(message):
    # transformers raises jinja2.exceptions.TemplateError(message); a subclass keeps the two apart here.
    raise TemplateRaised(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # transformers overrides jinja2's tojson (which HTML-escapes) with plain json.dumps.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def render(env, case):
    with open(os.path.join(DIR, case["template"]), encoding="utf-8") as f:
        template = env.from_string(f.read())
    context = {
        "messages": case["messages"],
        "tools": case.get("tools"),
        "documents": None,
        "add_generation_prompt": case["add_generation_prompt"],
        "bos_token": case["bos_token"],
        "eos_token": case["eos_token"],
    }
    try:
        return {"text": template.render(**context)}
    except TemplateRaised as e:
        return {"error": str(e)}


def main():
    with open(os.path.join(DIR, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    env = environment()
    expected = {name: render(env, case) for name, case in cases.items()}
    with open(os.path.join(DIR, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(expected)} cases to {os.path.relpath(DIR, ROOT)}/expected.json")


if __name__ == "__main__":
    main()
