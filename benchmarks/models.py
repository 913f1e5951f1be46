"""Compare the bundled local models on lcagent's own extraction jobs: copying an answer out of a
passage, and choosing the next tool action as schema-constrained JSON.

    python benchmarks/models.py                 # both models, 1 thread; writes results/models.md
    python benchmarks/models.py --threads 2 --models smollm2-135m
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import string
import time
from dataclasses import dataclass, field
from pathlib import Path

from lcagent.runners.base import JsonSchema, Verbatim, system, user
from lcagent.runners.local import LocalRunner, bundled_model_path

HERE = Path(__file__).parent
EXTRACTION = json.loads((HERE / "data" / "extraction.json").read_text())
ACTIONS = json.loads((HERE / "data" / "actions.json").read_text())

COPY_SYSTEM = "Answer the question with the exact words from the passage. Reply with the answer only."
ACTION_SYSTEM = """You choose the next step of a document-reading agent. Tools:
- search: full-text search of the document; use it when nothing relevant has been found yet.
- grep: exact text match; use it for identifiers, codes, setting names or quoted phrases.
- read: read one page; use it when a search result points to a page that has not been read.
- answer: give the final answer; use it when a page already read contains the answer.
Reply with JSON: {"action": ..., "argument": ...}."""
# The same instructions plus one worked example per action (none of them a benchmark case).
ACTION_FEW_SHOT = ACTION_SYSTEM + """

Examples:
Question: Who founded the museum? So far: Nothing has been done yet.
{"action": "search", "argument": "museum founded"}
Question: Where is the flag --no-cache described? So far: Nothing has been done yet.
{"action": "grep", "argument": "--no-cache"}
Question: How heavy is the engine? So far: search('engine weight') returned: page 9 'Engine specifications'. No page has been read.
{"action": "read", "argument": "9"}
Question: How heavy is the engine? So far: Read page 9: 'The engine weighs 212 kg without oil.'
{"action": "answer", "argument": "212 kg without oil"}"""
ACTION_SCHEMA = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": ["search", "grep", "read", "answer"]},
        "argument": {"type": "string", "maxLength": 80},
    },
    "required": ["action", "argument"],
    "additionalProperties": False,
}


@dataclass
class ModelResult:
    name: str
    load_seconds: float
    copy_exact: int = 0
    copy_contains: int = 0
    verbatim_exact: int = 0
    verbatim_contains: int = 0
    action_correct: int = 0
    action_invalid: int = 0
    few_shot_correct: int = 0
    call_seconds: list[float] = field(default_factory=list)
    prompt_tokens_evaluated: int = 0
    prompt_seconds: float = 0.0
    decode_steps: int = 0
    decode_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def _normalise(text: str) -> str:
    text = text.lower().strip()
    text = text.strip(string.punctuation + " \n\"'")
    return re.sub(r"\s+", " ", text)


def run_model(name: str, threads: int) -> ModelResult:
    started = time.perf_counter()
    runner = LocalRunner(bundled_model_path(name), n_ctx=2048, n_threads=threads)
    result = ModelResult(name, time.perf_counter() - started)

    def record() -> None:
        timings = runner.last_timings
        assert timings is not None
        result.prompt_tokens_evaluated += timings.prompt_tokens - timings.reused_tokens
        result.prompt_seconds += timings.prompt_seconds
        # The first token's time is part of prompt_seconds; the rest are decode steps.
        result.decode_steps += max(0, timings.generated_tokens - 1)
        result.decode_seconds += timings.generation_seconds

    for case in EXTRACTION:
        messages = [system(COPY_SYSTEM), user(f"Passage: {case['passage']}\n\nQuestion: {case['question']}")]
        completion = runner.complete(messages, max_tokens=24)
        record()
        result.call_seconds.append(completion.seconds)
        got, want = _normalise(completion.text), _normalise(case["answer"])
        result.copy_exact += got == want
        result.copy_contains += want in got
        if want not in got:
            result.failures.append(f"copy: {case['question']!r} -> {completion.text[:60]!r} (want {case['answer']!r})")

        # The same question with the verbatim-copy constraint: the answer must be a span of the passage.
        completion = runner.complete(messages, max_tokens=24, constraint=Verbatim((case["passage"],)))
        record()
        result.call_seconds.append(completion.seconds)
        got = _normalise(completion.text)
        result.verbatim_exact += got == want
        result.verbatim_contains += want in got
        if want not in got:
            result.failures.append(f"verbatim copy: {case['question']!r} -> {completion.text[:60]!r}")

    for case in ACTIONS:
        for prompt, few_shot in ((ACTION_SYSTEM, False), (ACTION_FEW_SHOT, True)):
            messages = [system(prompt), user(f"Question: {case['question']}\nSo far: {case['history']}")]
            completion = runner.complete(messages, max_tokens=48, constraint=JsonSchema(ACTION_SCHEMA))
            record()
            result.call_seconds.append(completion.seconds)
            label = "action (few-shot)" if few_shot else "action"
            try:
                action = json.loads(completion.text)["action"]
            except (json.JSONDecodeError, KeyError, TypeError):
                result.action_invalid += 1
                result.failures.append(f"{label}: invalid JSON {completion.text[:60]!r}")
                continue
            correct = action == case["expected"]
            if few_shot:
                result.few_shot_correct += correct
            else:
                result.action_correct += correct
            if not correct:
                result.failures.append(f"{label}: {case['question'][:40]!r} -> {action} (want {case['expected']})")
    runner.close()
    return result


def render(results: list[ModelResult], threads: int) -> str:
    lines = [
        "# Local model comparison on lcagent's extraction jobs",
        "",
        f"Generated by `python benchmarks/models.py` on {platform.machine()} with {threads} llama.cpp "
        f"thread(s), temperature 0, n_ctx 2048. Copy: {len(EXTRACTION)} hand-written passage/question/answer "
        f"triples (`data/extraction.json`), scored after lower-casing and trimming punctuation. Action: "
        f"{len(ACTIONS)} cases (`data/actions.json`, 5 per action), JSON-schema-constrained choice among "
        "search/grep/read/answer, with instructions only and with one worked example per action "
        "(always answering `search` would score 5/20). Verbatim copy: the copy task under the "
        "verbatim-copy constraint. Prompt tok/s counts only tokens not served from the KV cache; "
        "speeds were measured while other jobs shared the 2 cores, so treat them as rough.",
        "",
        "| model | copy exact | copy contains | verbatim copy exact | verbatim copy contains | action | action few-shot | invalid JSON | load s | prompt tok/s | gen tok/s | median s/call |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    copies, actions = len(EXTRACTION), len(ACTIONS)
    for r in results:
        prompt_rate = r.prompt_tokens_evaluated / r.prompt_seconds if r.prompt_seconds else 0.0
        decode_rate = r.decode_steps / r.decode_seconds if r.decode_seconds else 0.0
        lines.append(
            f"| {r.name} | {r.copy_exact}/{copies} | {r.copy_contains}/{copies} | {r.verbatim_exact}/{copies} "
            f"| {r.verbatim_contains}/{copies} | {r.action_correct}/{actions} | {r.few_shot_correct}/{actions} "
            f"| {r.action_invalid} | {r.load_seconds:.2f} | {prompt_rate:.0f} | {decode_rate:.0f} "
            f"| {statistics.median(r.call_seconds):.2f} |"
        )
    for r in results:
        lines += ["", f"## Misses: {r.name}", ""]
        lines += [f"- {failure}" for failure in r.failures] or ["- none"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="smollm2-135m,gemma3-270m")
    parser.add_argument("--threads", type=int, default=1, help="1 keeps numbers stable on a shared machine")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "models.md")
    args = parser.parse_args()
    results = [run_model(name.strip(), args.threads) for name in args.models.split(",")]
    report = render(results, args.threads)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
