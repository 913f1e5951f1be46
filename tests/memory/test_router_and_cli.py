"""The router's use of memory, and `lcagent memory DOC` listing and clearing."""

import json

from lcagent import api
from lcagent.query import analyse
from lcagent.agents.router import STRATEGIES, choose
from lcagent.cli import main
from lcagent.memory.hypergraph import HypergraphStore, SourceRef
from lcagent.memory.memex import MemexStore
from lcagent.runners.base import Choice
from lcagent.runners.scripted import ScriptedRunner

BIG = dict(document_tokens=120_000, context_window=8192, reader="extractive")


def test_router_sends_multi_hop_to_hypergraph_and_follow_ups_to_memex():
    assert {"memex", "hypergraph"} <= set(STRATEGIES)
    chain = analyse("Who directed the film whose lead actor was born in Oslo?")
    fact = analyse("Who signed the audit report?")
    route = choose(chain, **{**BIG, "reader": "generative"})
    assert route.strategy == "hypergraph" and "multi-hop" in route.reason
    assert choose(chain, **BIG).strategy == "tools"  # a small model: the bridge operator
    assert choose(fact, **BIG).strategy == "tools"
    follow_up = choose(fact, **BIG, explored=True)
    assert follow_up.strategy == "memex" and "already explored" in follow_up.reason
    # a document that fits the window is still read whole by a model that can write answers
    assert choose(chain, document_tokens=3_000, context_window=128_000, reader="generative").strategy == "full"


def test_auto_routes_a_follow_up_to_memex_once_memory_exists(films):
    ws, doc = films
    runner = ScriptedRunner(fn=lambda r: r.constraint.options[0])
    small_window = ScriptedRunner(fn=lambda r: r.constraint.options[0], context_window=300)  # the doc does not fit
    before = api.ask(doc.id, "Where was Karel Vos born?", model=small_window, workspace=ws)
    assert before.strategy == "tools"
    MemexStore(ws.db).archive(doc.id, "finding: Karel Vos born in Oslo", "Q: ...\nA: Oslo")
    after = api.ask(doc.id, "Where was Karel Vos born?", model=small_window, workspace=ws)
    assert after.strategy == "memex" and after.text == "Oslo"
    assert runner.calls == []


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_and_clears_memex_entries(films, capsys):
    ws, doc = films
    store = MemexStore(ws.db)
    first = store.archive(doc.id, "search 'Oslo': 2 hits", "exact\r\ncontent ✓", source="tool", key="search Oslo")
    store.archive(doc.id, "finding: born → Oslo", "Q: x\nA: Oslo")
    code, out, _ = run(capsys, "memory", doc.id[:8], "--workspace", str(ws.path))
    assert code == 0 and first in out and "search 'Oslo': 2 hits" in out and "finding" in out
    code, out, _ = run(capsys, "memory", "films.txt", "--workspace", str(ws.path), "--json")
    data = json.loads(out)
    assert data["kind"] == "memex" and [e["index"] for e in data["entries"]][0] == first
    assert data["entries"][0]["content"] == "exact\r\ncontent ✓"
    code, _, err = run(capsys, "memory", doc.id, "--workspace", str(ws.path), "--clear")
    assert code == 0 and "cleared 2 memex entries" in err
    assert store.entries(doc.id) == []
    code, _, err = run(capsys, "memory", doc.id, "--workspace", str(ws.path))
    assert code == 0 and "no entries" in err and "--strategy memex" in err


def test_cli_lists_and_clears_hypergraph_units(films, capsys):
    ws, doc = films
    graph = HypergraphStore(ws.db)
    a = graph.insert(doc.id, "Karel Vos was born in Oslo.", ["Karel Vos", "Oslo"], [SourceRef(0, 2, 2)])
    b = graph.insert(doc.id, "The lead actor of Northern Tide was Karel Vos.", ["Karel Vos", "Northern Tide"], [SourceRef(2, 4, 4)])
    merged = graph.merge([a.id, b.id])
    code, out, _ = run(capsys, "memory", doc.id, "--kind", "hypergraph", "--workspace", str(ws.path), "--json")
    units = json.loads(out)["units"]
    assert [u["label"] for u in units] == [merged.label]
    assert set(units[0]["entities"]) == {"Karel Vos", "Oslo", "Northern Tide"}
    assert [s["page_start"] for s in units[0]["sources"]] == [2, 4]
    code, out, _ = run(capsys, "memory", doc.id, "--kind", "hypergraph", "--all", "--workspace", str(ws.path))
    assert code == 0 and out.count("merged") >= 2 and "Karel Vos" in out
    code, _, err = run(capsys, "memory", doc.id, "--kind", "hypergraph", "--clear", "--workspace", str(ws.path))
    assert "cleared 3 hypergraph memory units" in err and graph.units(doc.id, include_merged=True) == []


def test_cli_unknown_document_is_one_line(films, capsys):
    ws, _ = films
    code, _, err = run(capsys, "memory", "nope.pdf", "--workspace", str(ws.path))
    assert code == 1 and "lcagent docs" in err and "Traceback" not in err


def test_router_sends_questions_that_span_several_places_to_hypergraph():
    plan = analyse("How did the festival's ticket prices change from 2019 to 2023?")
    assert len(plan.aspects()) >= 2
    route = choose(plan, **BIG)
    assert route.strategy == "hypergraph" and "several places" in route.reason
    # yes/no and choices about two things: tools searches each and reads evidence about each
    for question in ("Were Northern Tide and Salt Road directed by the same person?",
                     "Which premiered first, Northern Tide or Salt Road?"):
        assert choose(analyse(question), **BIG).strategy == "tools", question
    # the same question about several subjects is one lookup each, with the tools strategy
    each = analyse("Compare who directed Northern Tide and Salt Road.")
    assert each.intent == "multi_lookup" and choose(each, **BIG).strategy == "tools"
    # one fact, even with "between" in it, stays with the tools strategy
    single = analyse("What is the distance between Oslo and Bergen?")
    assert choose(single, **BIG).strategy == "tools"
    # a comparison in a document that fits is read whole by a model that can write
    assert choose(analyse("Compare A and B."), document_tokens=3_000, context_window=128_000, reader="generative").strategy == "full"


def test_a_comparison_retrieves_each_aspect_into_memory(films):
    ws, doc = films
    small_window = ScriptedRunner(fn=lambda r: r.constraint.options[0] if isinstance(r.constraint, Choice)
                                  else json.dumps({"entities": [], "relation": ""}), context_window=300)
    answer = api.ask(doc.id, "Compare who directed Northern Tide and Salt Road.", model=small_window, workspace=ws,
                     strategy="hypergraph")
    assert answer.strategy == "hypergraph"
    from lcagent.memory.traces import load_run

    rounds = [s.output for s in load_run(ws, answer.run_id)[1] if s.kind == "note" and s.name == "hypergraph round"]
    assert all(any(name in query for query in rounds[0]["queries"]) for name in ("Northern Tide", "Salt Road"))
    pages = {s.page_start for u in HypergraphStore(ws.db).units(doc.id) for s in u.sources}
    assert {6, 7} <= pages  # both directors' pages became memory units
    # read extractively, each aspect gets its own answer span and its own citation
    assert answer.text == "Northern Tide: Ilse Marrow; Salt Road: Pieter Hald"
    assert [(c.page_index, c.quote) for c in answer.citations] == [
        (6, "Northern Tide was directed by Ilse Marrow, who also wrote the script."),
        (7, "Salt Road was directed by Pieter Hald."),
    ]
