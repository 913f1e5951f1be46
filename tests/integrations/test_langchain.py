"""LangChain tools and LangGraph graphs over lcagent: tool list, one call, an agent's full trajectory."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from lcagent.ingest import ingest_file
from lcagent.integrations.langchain import ask_graph, tools
from lcagent.memory.workspace import Workspace
from lcagent.runners.base import Completion, Message, ToolCall
from lcagent.runners.scripted import API_LIKE, ScriptedRunner
from lcagent.tools import ToolContext, call, get_tools, openai_tools
from tests.integrations.conftest import QUESTION


@pytest.fixture
def guide(sandbox):
    with Workspace(sandbox.workspace) as ws:
        document = ingest_file(ws, sandbox.pdf).document
    return sandbox.workspace, document


def test_tools_are_langchain_tools_with_lcagent_schemas(guide):
    workspace, _ = guide
    wrapped = tools(workspace)
    assert all(isinstance(tool, BaseTool) for tool in wrapped)
    assert [tool.name for tool in wrapped] == ["list_docs", "search", "grep", "read", "count", "word_frequencies"]
    for tool, original in zip(wrapped, get_tools([t.name for t in wrapped])):
        assert tool.description == original.description
        assert tool.args_schema is original.Args
    assert [t.name for t in tools(workspace, names=["search", "read"])] == ["search", "read"]


def test_invoking_a_tool_returns_text_and_page_citations(guide):
    workspace, document = guide
    search = {tool.name: tool for tool in tools(workspace, doc_ids=[document.id])}["search"]
    text = search.invoke({"query": "Harrow Point light automated", "k": 2})
    assert "p. 4 (label 2): The Harrow Point light was automated in 1987" in text
    # Invoked as a model's tool call, the page citations travel as the message's artifact.
    message = search.invoke({"type": "tool_call", "id": "c1", "name": "search", "args": {"query": "Harrow Point automated"}})
    assert isinstance(message, ToolMessage) and message.content.startswith("[1] field_guide.pdf")
    assert (message.artifact["citations"][0]["page_index"], message.artifact["citations"][0]["page_label"]) == (4, "2")
    bad = search.invoke({"query": "light", "doc": "missing.pdf"})
    assert bad.startswith("error: no document 'missing.pdf'")


def test_bad_arguments_come_back_as_the_same_error_text_as_the_other_tools(guide):
    workspace, document = guide
    search = {tool.name: tool for tool in tools(workspace, doc_ids=[document.id])}["search"]
    with Workspace(workspace) as ws:
        expected = call("search", {"query": "light", "rm": "-rf"}, ToolContext(ws)).text
    assert expected.startswith("error: bad arguments for search: rm:")
    assert search.invoke({"query": "light", "rm": "-rf"}) == expected  # an unexpected argument
    assert search.invoke({"query": "light", "k": "many"}).startswith("error: bad arguments for search: k:")
    message = search.invoke({"type": "tool_call", "id": "c2", "name": "search", "args": {"k": 3}})
    assert isinstance(message, ToolMessage) and message.status == "error"
    assert message.content.startswith("error: bad arguments for search: query:")


def _to_lcagent(message) -> Message:
    if isinstance(message, HumanMessage):
        return Message("user", message.content)
    if isinstance(message, ToolMessage):
        return Message("tool", message.content, tool_call_id=message.tool_call_id)
    calls = tuple(ToolCall(c["id"], c["name"], json.dumps(c["args"])) for c in message.tool_calls)
    return Message("assistant", message.content, tool_calls=calls)


def _tool_turn(call_id: str, name: str, arguments: dict) -> Completion:
    return Completion("", 0, 0, 0.0, finish_reason="tool_calls", tool_calls=(ToolCall(call_id, name, json.dumps(arguments)),))


def test_langgraph_agent_with_the_scripted_runner_calls_lcagent_tools(guide):
    workspace, document = guide
    runner = ScriptedRunner(
        responses=[
            _tool_turn("call_1", "search", {"query": "Harrow Point light automated", "k": 2}),
            _tool_turn("call_2", "read", {"pages": "4"}),
            "1987 (p. 4, label 2)",
        ],
        capabilities=API_LIKE,
    )
    lcagent_tools = tools(workspace, doc_ids=[document.id], names=["search", "read"])

    def agent(state: MessagesState):
        completion = runner.complete([_to_lcagent(m) for m in state["messages"]], tools=openai_tools(["search", "read"]))
        calls = [{"id": c.id, "name": c.name, "args": json.loads(c.arguments), "type": "tool_call"} for c in completion.tool_calls]
        return {"messages": [AIMessage(content=completion.text, tool_calls=calls)]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode(lcagent_tools))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    final = builder.compile().invoke({"messages": [HumanMessage(QUESTION)]})

    messages = final["messages"]
    trajectory = [(type(m).__name__, getattr(m, "name", None) if isinstance(m, ToolMessage) else None) for m in messages]
    assert trajectory == [
        ("HumanMessage", None), ("AIMessage", None), ("ToolMessage", "search"),
        ("AIMessage", None), ("ToolMessage", "read"), ("AIMessage", None),
    ]
    assert messages[1].tool_calls[0]["args"] == {"query": "Harrow Point light automated", "k": 2}
    search_result, read_result = messages[2], messages[4]
    assert search_result.tool_call_id == "call_1" and "p. 4 (label 2): The Harrow Point light was automated in 1987" in search_result.content
    assert read_result.tool_call_id == "call_2" and read_result.content.startswith("--- field_guide.pdf p. 4 (label 2) ---")
    assert [(c["page_index"], c["page_label"]) for c in read_result.artifact["citations"]] == [(4, "2")]
    assert messages[5].content == "1987 (p. 4, label 2)"

    # What the model was asked, call by call: the tools each time, and each tool result fed back.
    assert len(runner.calls) == 3 and runner.remaining == 0
    for request in runner.calls:
        assert [t["function"]["name"] for t in request.tools] == ["search", "read"]
    assert [m.role for m in runner.calls[0].messages] == ["user"]
    assert [m.role for m in runner.calls[1].messages] == ["user", "assistant", "tool"]
    assert runner.calls[1].messages[2].content == search_result.content
    assert [m.role for m in runner.calls[2].messages] == ["user", "assistant", "tool", "assistant", "tool"]
    assert runner.calls[2].messages[4].content == read_result.content


def test_ask_graph_runs_lcagent_ask_and_nests_in_a_users_graph(guide):
    workspace, document = guide
    runner = ScriptedRunner(responses=[])  # the tools strategy answers this one with no LLM call
    subgraph = ask_graph(model=runner, workspace=workspace, strategy="tools")

    alone = subgraph.invoke({"question": QUESTION, "document": document.id})
    assert alone["answer"]["text"] == "1987"
    assert alone["answer"]["citations"][0]["page_label"] == "2"

    class Report(TypedDict, total=False):
        question: str
        document: str
        answer: dict
        report: str

    def write_report(state: Report) -> Report:
        citation = state["answer"]["citations"][0]
        return {"report": f"{state['answer']['text']} (p. {citation['page_index']})"}

    builder = StateGraph(Report)
    builder.add_node("lcagent", subgraph)
    builder.add_node("report", write_report)
    builder.add_edge(START, "lcagent")
    builder.add_edge("lcagent", "report")
    builder.add_edge("report", END)
    result = builder.compile().invoke({"question": QUESTION, "document": "field_guide.pdf"})
    assert result["report"] == "1987 (p. 4)"
    assert runner.calls == []


def test_ask_graph_never_reads_a_file_named_in_its_state(guide, tmp_path):
    workspace, _ = guide
    secret = tmp_path / "secret.txt"
    secret.write_text("The vault code is 4417.")
    subgraph = ask_graph(model=ScriptedRunner(responses=[]), workspace=workspace, strategy="tools")
    with pytest.raises(Exception, match="no document"):
        subgraph.invoke({"question": "What is the vault code?", "document": str(secret)})
    with Workspace(workspace) as ws:
        assert all(d.path != str(secret) for d in ws.documents(all_versions=True))


def test_ask_graph_asks_a_tag_or_several_documents(guide, sandbox):
    workspace, document = guide
    memo = sandbox.allowed / "memo.txt"
    memo.write_text("Staff memo. The door code of the harbour canteen is 4417.\n")
    with Workspace(workspace) as ws:
        other = ingest_file(ws, memo).document
        ws.tags.add([document.id, other.id], "harbour")
    subgraph = ask_graph(model=ScriptedRunner(responses=[]), workspace=workspace, strategy="tools")
    tagged = subgraph.invoke({"question": "What is the door code of the harbour canteen?", "tag": "harbour"})["answer"]
    assert tagged["text"] == "4417" and tagged["citations"][0]["doc_name"] == "memo.txt"
    named = subgraph.invoke({"question": "In which year was the Harrow Point light automated?",
                             "document": [document.id, "memo.txt"]})["answer"]
    assert named["text"] == "1987" and named["citations"][0]["doc_id"] == document.id
