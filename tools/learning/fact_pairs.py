#!/usr/bin/env python3
"""Clean preference pairs that differ only in the fact: the right sum or product against a nearby wrong number, and
the user's own name against another, in the same answer template (TRL's conversational format, for `livedpo train`).
A capacity check, not a recipe: can a LoRA on the demo model learn these facts at all when every pair teaches one?
The questions, answers and names mirror libs/simulator's ArithmeticTask and GreetingTask (keep them in step).

    tools/learning/fact_pairs.py N SEED > pairs.jsonl
"""
import json
import random
import sys

NAMES = ["Ana", "Ben", "Carla", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jack", "Lena", "Omar"]
PLUS = ["What is {a} + {b}?", "What is {a} plus {b}?", "How much is {a} plus {b}?"]
TIMES = ["What is {a} times {b}?", "How much is {a} times {b}?"]
ANSWERS = ["The answer is {n}.", "It is {n}.", "{a} {op} {b} is {n}.", "That makes {n}."]
GREETINGS = ["Hello, I am {name}.", "Hi, my name is {name}.", "Hey there, I am {name}."]
REPLIES = ["Nice to meet you, {name}.", "Hello {name}, good to meet you.", "Hi {name}, how are you today?",
           "Hi {name}, what can I do for you?"]


def arithmetic(rng):
    times = rng.random() < 0.5
    a, b = rng.randrange(2 if times else 1, 10), rng.randrange(2 if times else 1, 10)
    right = a * b if times else a + b
    while True:  # a nearby number that is neither the result nor an operand, as ArithmeticTask.wrongContent
        wrong = right + rng.choice((1, -1)) * rng.randrange(1, 4)
        if wrong > 0 and wrong not in (a, b, right):
            break
    template, op = rng.choice(ANSWERS), "times" if times else "plus"
    return (rng.choice(TIMES if times else PLUS).format(a=a, b=b),
            template.format(a=a, b=b, op=op, n=right), template.format(a=a, b=b, op=op, n=wrong))


def greeting(rng):
    name = rng.choice(NAMES)
    other = rng.choice([n for n in NAMES if n != name])
    template = rng.choice(REPLIES)
    return rng.choice(GREETINGS).format(name=name), template.format(name=name), template.format(name=other)


def main(n, seed):
    rng = random.Random(seed)
    for i in range(n):
        prompt, chosen, rejected = (arithmetic if i % 2 == 0 else greeting)(rng)
        print(json.dumps({"prompt": [{"role": "user", "content": prompt}],
                          "chosen": [{"role": "assistant", "content": chosen}],
                          "rejected": [{"role": "assistant", "content": rejected}]}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
