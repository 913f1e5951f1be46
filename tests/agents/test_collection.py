"""Questions over a collection: the right documents are chosen first, each citation names its
document, and a question about two things cites both documents. No LLM call is made here."""

from __future__ import annotations

import pytest

from lcagent import api
from lcagent.memory.tags import TagStore
from lcagent.memory.workspace import Workspace, WorkspaceError
from lcagent.runners.scripted import ScriptedRunner

LIGHTS = {
    "harrow.txt": "Harrow Point Light stands on a granite spit.\nThe Harrow Point light was automated in 1987.\n"
                  "Its last keeper, Tomas Brenning, served for 26 years.",
    "vell.txt": "Cape Vell Light is the tallest light on the coast.\nThe climb to the gallery of Cape Vell Light takes 219 steps.\n"
                "Cape Vell Light was automated in 1974.",
    "gull.txt": "Gull Rock Light was built in 1851.\nKeeper Ada Lindqvist kept the Gull Rock logs for 29 years.",
}
OTHERS = {f"notes{n}.txt": f"Meeting notes {n}. The committee discussed the harbour budget and the ferry timetable. "
                           f"Item {n}: repaint the benches by the quay." for n in range(1, 6)}


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    for name, text in {**LIGHTS, **OTHERS}.items():
        (root / name).write_text(text, encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    yield root, ws
    ws.close()


def test_a_folder_is_ingested_and_the_right_document_answers(folder):
    root, ws = folder
    answer = api.ask(root, "How many steps does the climb to the gallery of Cape Vell Light take?",
                     model=ScriptedRunner([]), workspace=ws, embed=False)
    assert answer.text == "219"
    assert len(answer.searched) == 8 and len(answer.doc_ids) < 8
    assert {c.doc_name for c in answer.citations} == {"vell.txt"}
    assert "documents chosen" in answer.strategy_reason


def test_a_question_about_two_things_cites_both_documents(folder):
    root, ws = folder
    runner = ScriptedRunner(fn=lambda request: request.constraint.options[-1])
    answer = api.ask(root, "Which light was automated first, Harrow Point Light or Cape Vell Light?",
                     model=runner, workspace=ws, embed=False)
    assert {c.doc_name for c in answer.citations} == {"harrow.txt", "vell.txt"}
    assert answer.text in ("Harrow Point Light", "Cape Vell Light")


def test_tags_and_all_name_stored_documents(folder):
    root, ws = folder
    api.ask(root, "When was Gull Rock Light built?", model=ScriptedRunner([]), workspace=ws, embed=False)
    lights = [d.id for d in ws.documents() if d.name in LIGHTS]
    TagStore(ws.db).add(lights, "lights")
    answer = api.ask(question="Who kept the Gull Rock logs?", tag="lights", model=ScriptedRunner([]), workspace=ws)
    assert answer.text == "Ada Lindqvist" and set(answer.searched) == set(lights)
    every = api.ask(question="When was Gull Rock Light built?", all_documents=True, model=ScriptedRunner([]),
                    workspace=ws)
    assert every.text == "1851" and len(every.searched) == 8
    with pytest.raises(WorkspaceError, match="no document is tagged 'ferries'"):
        api.ask(question="Anything?", tag="ferries", model=ScriptedRunner([]), workspace=ws)


def test_memory_from_a_collection_question_is_filed_under_each_document(folder):
    from lcagent.memory.memex import MemexStore
    from lcagent.memory.traces import load_run

    root, ws = folder
    runner = ScriptedRunner(fn=lambda request: request.constraint.options[-1] if hasattr(request.constraint, "options")
                            else '{"tool": "answer", "input": ""}')
    first = api.ask(root, "Which light was automated first, Harrow Point Light or Cape Vell Light?", model=runner,
                    workspace=ws, strategy="memex", embed=False)
    names = {d.id: d.name for d in ws.documents()}
    store = MemexStore(ws.db)
    filed = {names[doc_id] for doc_id in first.doc_ids if store.entries(doc_id)}
    assert {"harrow.txt", "vell.txt"} <= filed
    # a follow-up about one of them, asked of that document alone, starts from what was filed under it
    vell = next(doc_id for doc_id, name in names.items() if name == "vell.txt")
    follow_up = api.ask(vell, "When was Cape Vell Light automated?", model=runner, workspace=ws, strategy="memex")
    [resume] = [s.output for s in load_run(ws, follow_up.run_id)[1] if s.kind == "note" and s.name == "memex resume"]
    assert resume["entries"] > 0 and resume["reused"]
    assert follow_up.text == "1974"
