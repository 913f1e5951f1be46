"""A plain OpenAI-style tool loop over lcagent's tools, against any OpenAI-compatible endpoint.

The model gets ``lcagent.tools.openai_tools()`` as ``tools=``; each tool call it makes is run
with ``lcagent.tools.call`` (validated arguments, bounded output, errors as text), and the
result goes back as a ``tool`` message, until the model answers or the turns run out.

    lcagent serve --port 8000 &
    python examples/openai_tool_loop.py examples/field_guide.pdf \
        "In which year was the Harrow Point light automated?" --base-url http://127.0.0.1:8000/v1
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable

from openai import OpenAI

from lcagent.ingest import ingest_file
from lcagent.memory.workspace import Workspace
from lcagent.tools import Limits, ToolContext, call, openai_tools

SYSTEM_PROMPT = (
    "You answer questions about the document {name} (id {doc_id}, {pages} pages) using the tools: "
    "search or grep to find where the answer is, read to check the page. Answer briefly and cite the "
    "page, e.g. (p. 4)."
)


@dataclass(frozen=True)
class ExecutedCall:
    name: str
    arguments: str
    ok: bool
    result: str


@dataclass
class LoopResult:
    answer: str | None  # None when the turns ran out before the model answered
    turns: int
    calls: list[ExecutedCall] = field(default_factory=list)


def tool_loop(client: OpenAI, model: str, question: str, context: ToolContext, *, max_turns: int = 4,
              max_tokens: int = 256, say: Callable[[str], None] = lambda line: None) -> LoopResult:
    document = context.resolve(None)
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT.format(name=document.name, doc_id=document.id[:12], pages=document.pages)},
        {"role": "user", "content": question},
    ]
    schemas = openai_tools()
    result = LoopResult(answer=None, turns=0)
    for turn in range(1, max_turns + 1):
        result.turns = turn
        response = client.chat.completions.create(
            model=model, messages=messages, tools=schemas, max_tokens=max_tokens, temperature=0
        )
        message = response.choices[0].message
        if not message.tool_calls:
            result.answer = (message.content or "").strip()
            return result
        messages.append({
            "role": "assistant", "content": message.content or "",
            "tool_calls": [
                {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
                for c in message.tool_calls
            ],
        })
        for tool_call in message.tool_calls:
            # Whatever the model sent, call() validates it; mistakes come back as text for the model to fix.
            output = call(tool_call.function.name, tool_call.function.arguments, context)
            result.calls.append(ExecutedCall(tool_call.function.name, tool_call.function.arguments, output.ok, output.text))
            say(f"-> {tool_call.function.name}({tool_call.function.arguments}) {'ok' if output.ok else 'refused'}")
            messages.append({"role": "tool", "tool_call_id": tool_call.id, "content": output.text})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", help="file to ingest and ask about (PDF, text, Markdown, HTML)")
    parser.add_argument("question")
    parser.add_argument("--model", default="local", help="model name the endpoint serves (llama.cpp's server accepts any)")
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1"))
    parser.add_argument("--workspace", help="workspace directory (default: a temporary one)")
    parser.add_argument("--max-turns", type=int, default=4)
    args = parser.parse_args(argv)

    client = OpenAI(base_url=args.base_url, api_key=os.environ.get("OPENAI_API_KEY", "not-needed"), max_retries=0)
    with tempfile.TemporaryDirectory() as scratch, Workspace(args.workspace or scratch) as ws:
        document = ingest_file(ws, args.document).document
        # Small tool outputs: a 135M model's window is 8k tokens, a llama.cpp server's often 4k.
        context = ToolContext(ws, doc_ids=[document.id], limits=Limits(max_chars=1500, max_items=20))
        result = tool_loop(client, args.model, args.question, context, max_turns=args.max_turns,
                           say=lambda line: print(line, file=sys.stderr))
    print(json.dumps({"answer": result.answer, "turns": result.turns,
                      "tool_calls": [c.__dict__ for c in result.calls]}, indent=2))
    return 0 if result.answer is not None else 1


if __name__ == "__main__":
    sys.exit(main())
