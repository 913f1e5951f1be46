"""Memory targets of issue 5, measured: (b) a 20-step memex run against the same loop without
memory (peak working tokens and accuracy), and (c) the LLM tokens of a second question about an
already-explored document against the first.

    python benchmarks/memory.py --length 32k --n 3                 # scripted explorer (fast, exact peaks)
    python benchmarks/memory.py --length 4k --n 2 --model local    # the bundled SmolLM2-135M decides

The scripted explorer never stops early: it searches a new word each step for all 20 steps,
so the two runs see the same tool outputs and differ only in what their working context keeps.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

from lcagent import api
from lcagent.agents.base import AgentContext, Budget
from lcagent.agents.memex_agent import MemexAgent
from lcagent.bench import generate, parse_length, score
from lcagent.bench.run import document_path
from lcagent.memory.traces import RunTrace
from lcagent.memory.workspace import Workspace
from lcagent.runners.base import Choice
from lcagent.runners.scripted import ScriptedRunner
from lcagent.runners.tracing import TracingRunner
from lcagent.tools.text import terms


def explorer(words: list[str]):
    def act(request):
        if isinstance(request.constraint, Choice):
            return request.constraint.options[0]
        step = int(re.search(r"Step (\d+) of", request.messages[-1].content).group(1))
        return json.dumps({"tool": "search", "input": words[(step - 1) % len(words)]})
    return act


def run_once(ws, doc_id, question, runner, *, memory: bool, steps: int, budget: int):
    trace = RunTrace.start(ws, question=question, doc_ids=[doc_id], model=runner.describe(), strategy="memex", reason="bench")
    traced = TracingRunner(runner, lambda *args: None)
    agent = MemexAgent(budget, memory=memory, stop_when_confident=False)
    reading = agent.answer(question, AgentContext(ws, [doc_id], traced, trace, Budget(max_steps=steps), reader="extractive"))
    return reading, agent.last_peak, traced.usage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--length", default="32k")
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--budget", type=int, default=4000)
    parser.add_argument("--model", default="scripted", help="scripted (explorer policy) or a model spec such as local")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    samples = generate("qa_2", parse_length(args.length), args.n, args.seed)
    folder = Path(tempfile.mkdtemp(prefix="lcagent-memory-bench-"))
    print(f"qa_2 at {args.length}, {args.n} samples, {args.steps} steps, working budget {args.budget}, model {args.model}")
    totals = {True: [], False: []}
    for sample in samples:
        question = sample.user_question()
        path = document_path(sample, folder / "docs")
        for memory in (True, False):
            ws = Workspace(folder / f"ws-{sample.index}-{memory}")
            doc = api.resolve_documents(ws, path)[0]
            if args.model == "scripted":
                words = [t for t in terms(question) if len(t) > 3] + [t for t in terms(sample.context[:20000]) if len(t) > 6]
                runner = ScriptedRunner(fn=explorer(list(dict.fromkeys(words))))
            else:
                runner = api._runner(args.model)
            reading, peak, usage = run_once(ws, doc.id, question, runner, memory=memory, steps=args.steps, budget=args.budget)
            right = score(sample.metric, reading.text, sample.answers)
            totals[memory].append((peak, right))
            print(f"  sample {sample.index} memory={memory!s:5} peak working tokens {peak:6,}  score {right:.2f}  "
                  f"LLM calls {usage.llm_calls}  answer {reading.text[:40]!r}  gold {sample.answers[:1]}")
            ws.close()
    for memory in (True, False):
        peaks = [p for p, _ in totals[memory]]
        print(f"memory={memory!s:5} peak working tokens max {max(peaks):,} mean {sum(peaks) / len(peaks):,.0f}; "
              f"accuracy {sum(s for _, s in totals[memory]) / len(peaks):.2f}")

    # (c) a second question about an explored document: a rewording that asks nothing new, and one
    # that adds a word found in the document (the earlier finding then does not settle it)
    print("second question cost (memex strategy, same document):")
    for wording in ("Tell me again: {q}", "{q} Please answer briefly."):
        for sample in samples:
            ws = Workspace(folder / f"ws-followup-{sample.index}-{len(wording)}")
            path = document_path(sample, folder / "docs")
            question = sample.user_question()
            runner = (ScriptedRunner(fn=explorer([t for t in terms(question) if len(t) > 3] or ["the"]))
                      if args.model == "scripted" else api._runner(args.model))
            first = api.ask(path, question, model=runner, workspace=ws, strategy="memex", max_steps=6)
            second = api.ask(path, wording.format(q=question), model=runner, workspace=ws, strategy="memex", max_steps=6)
            print(f"  {wording!r} sample {sample.index}: first {first.usage.total_tokens:,} tokens / {first.usage.llm_calls} calls "
                  f"({first.text[:30]!r}), second {second.usage.total_tokens:,} tokens / {second.usage.llm_calls} calls "
                  f"({second.text[:30]!r})")
            ws.close()

if __name__ == "__main__":
    main()
