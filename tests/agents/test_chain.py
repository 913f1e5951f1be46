"""Chain of Agents and map-reduce with a scripted runner: windows, units passed on, resume."""

import re

import pytest

from lcagent import api
from lcagent.ingest import ingest_file
from lcagent.memory.traces import load_run
from lcagent.memory.workspace import Workspace
from lcagent.runners.base import Verbatim
from lcagent.runners.scripted import ScriptedRunner

PAGES = [f"Page {n}. " + " ".join(f"Filler sentence {n}-{k} about tides and weather." for k in range(40)) for n in range(1, 9)]
PAGES[5] = PAGES[5] + " The Merrow Sands light burned out in 1903."


@pytest.fixture
def long_doc(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("\f".join(PAGES))
    ws = Workspace(tmp_path / "ws")
    document = ingest_file(ws, path).document
    yield ws, document
    ws.close()


def worker_fn(log, interrupt_at=None):
    """A scripted model: workers append 'p. N: ...' notes for any line mentioning Merrow."""

    def respond(request):
        prompt = request.messages[-1].content
        log.append(prompt)
        part = re.search(r"Part (\d+) of (\d+) \(pages ([\d-]+)\)", prompt)
        if part and "Notes from previous parts" in prompt:
            if interrupt_at is not None and int(part.group(1)) == interrupt_at and not respond.interrupted:
                respond.interrupted = True
                raise KeyboardInterrupt
            previous = prompt.split("Notes from previous parts:\n", 1)[1].rsplit("\n\nUpdated notes:", 1)[0]
            notes = "" if previous == "(none)" else previous
            if "Merrow" in prompt.split("Question:")[0]:
                notes += "\np. 6: The Merrow Sands light burned out in 1903."
            return notes.strip() or "(none)"
        if prompt.startswith("Notes:"):
            return "1903" if "1903" in prompt else "not found"
        raise AssertionError(f"unexpected prompt: {prompt[:80]}")

    respond.interrupted = False
    return respond


def test_chain_passes_communication_units_and_cites(long_doc):
    ws, doc = long_doc
    log = []
    runner = ScriptedRunner(fn=worker_fn(log), context_window=700)
    answer = api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws, strategy="chain")
    workers = [p for p in log if p.startswith("Part ")]
    parts = int(re.search(r"of (\d+)", workers[0]).group(1))
    assert parts >= 4 and len(workers) == parts
    # every worker after the one that saw the fact received it as the previous unit
    first_seen = next(i for i, p in enumerate(workers) if "Merrow" in p.split("Question:")[0])
    for later in workers[first_seen + 1 :]:
        assert "p. 6: The Merrow Sands light burned out in 1903." in later.split("Notes from previous parts:")[1]
    assert answer.text == "1903"
    assert [(c.page_index, c.quote) for c in answer.citations] == [(6, "The Merrow Sands light burned out in 1903.")]
    for request in runner.calls:  # nothing sent over the window
        assert runner.prompt_tokens(request.messages) + request.max_tokens <= 700


def test_interrupted_chain_resumes_where_it_stopped(long_doc):
    ws, doc = long_doc
    log = []
    runner = ScriptedRunner(fn=worker_fn(log, interrupt_at=3), context_window=700)
    with pytest.raises(KeyboardInterrupt):
        api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws, strategy="chain")
    run_id = ws.db.execute("SELECT id FROM runs").fetchone()[0]
    assert load_run(ws, run_id)[0].status == "interrupted"
    done_before = [p for p in log if p.startswith("Part ")]
    assert [int(re.match(r"Part (\d+)", p).group(1)) for p in done_before] == [1, 2, 3]
    log.clear()
    answer = api.resume(run_id, model=runner, workspace=ws)
    resumed_parts = [int(re.match(r"Part (\d+)", p).group(1)) for p in log if p.startswith("Part ")]
    assert resumed_parts[0] == 3, "resume must restart at the interrupted window, not at the beginning"
    assert 1 not in resumed_parts and 2 not in resumed_parts
    assert answer.text == "1903" and answer.run_id == run_id
    assert load_run(ws, run_id)[0].status == "done"


def test_mapreduce_reduces_within_the_window(long_doc):
    ws, doc = long_doc
    seen, verbatim = [], []

    def respond(request):
        prompt = request.messages[-1].content
        seen.append(prompt)
        if prompt.startswith("Part "):
            pages = re.search(r"pages ([\d-]+)", prompt).group(1)
            return f"p. {pages.split('-')[0]}: " + "a relevant detail about the tide. " * 30
        if prompt.startswith("Notes:") and "Combined notes" in prompt:
            return "p. 1: combined detail."
        if isinstance(request.constraint, Verbatim):  # the supporting quote, decoded as a real span
            verbatim.append(request.constraint.sources)
            return request.constraint.sources[0][:40]
        return "tides were recorded"

    runner = ScriptedRunner(fn=respond, context_window=700, max_parallel=4)
    answer = api.ask(doc.id, "What was recorded about the tides?", model=runner, workspace=ws, strategy="mapreduce")
    assert any("Combined notes" in p for p in seen), "notes over the window must be reduced"
    for request in runner.calls:
        assert runner.prompt_tokens(request.messages) + request.max_tokens <= 700
    assert answer.text == "tides were recorded"
    assert answer.dropped_quotes >= 1  # the scripted 'quotes' are not in the document and are dropped
    # in their place, a sentence of a page the notes named, decoded under the verbatim constraint
    assert verbatim and answer.citations
    assert all(c.quote in " ".join(ws.page(doc.id, c.page_index).text.split()) for c in answer.citations)


def test_resume_keeps_settings_and_refuses_a_different_window_cut(long_doc, monkeypatch):
    ws, doc = long_doc
    log = []
    runner = ScriptedRunner(fn=worker_fn(log, interrupt_at=2), context_window=700)
    with pytest.raises(KeyboardInterrupt):
        api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws, strategy="chain",
                max_steps=3, budget_tokens=50_000)
    run_id = ws.db.execute("SELECT id FROM runs").fetchone()[0]
    record, steps = load_run(ws, run_id)
    settings = next(s.output for s in steps if s.name == "settings")
    assert settings["max_steps"] == 3 and settings["budget_tokens"] == 50_000
    # a Runner object is stored by its description, which the registry cannot rebuild
    from lcagent.runners.base import RunnerError

    with pytest.raises(RunnerError, match="pass --model"):
        api.resume(run_id, workspace=ws)
    bigger = ScriptedRunner(fn=worker_fn([]), context_window=2000)
    with pytest.raises(RunnerError, match="same --model"):
        api.resume(run_id, model=bigger, workspace=ws)
    assert api.resume(run_id, model=runner, workspace=ws).text == "1903"


def test_model_spec_stored_is_what_the_user_gave(monkeypatch):
    runner = ScriptedRunner([])
    assert api._model_spec("openai:qwen@http://127.0.0.1:8000/v1", runner) == "openai:qwen@http://127.0.0.1:8000/v1"
    monkeypatch.setenv("LCAGENT_MODEL", "gguf:/models/x.gguf")
    assert api._model_spec(None, runner) == "gguf:/models/x.gguf"
    monkeypatch.delenv("LCAGENT_MODEL")
    assert api._model_spec(None, runner) == "local"


def test_a_made_up_note_quote_is_replaced_by_a_real_sentence_of_the_page_it_named(long_doc):
    ws, doc = long_doc

    def respond(request):
        prompt = request.messages[-1].content
        if prompt.startswith("Part "):
            if "Merrow" in prompt.split("Question:")[0]:
                return "p. 6: the Merrow light went dark in nineteen-oh-three"  # not a verbatim quote
            previous = prompt.split("Notes from previous parts:\n", 1)[1].rsplit("\n\nUpdated notes:", 1)[0]
            return previous
        return "1903"

    answer = api.ask(doc.id, "When did the Merrow Sands light burn out?", model=ScriptedRunner(fn=respond, context_window=700),
                     workspace=ws, strategy="chain")
    assert answer.text == "1903"
    assert answer.dropped_quotes == 1  # the worker's paraphrase is not on the page
    assert [(c.page_index, c.quote) for c in answer.citations] == [(6, "The Merrow Sands light burned out in 1903.")]
    notes = [s for s in load_run(ws, answer.run_id)[1] if s.kind == "note" and s.name == "grounded quote"]
    assert notes and notes[0].output["notes_quotes"] == 1


# --- budgets: stop reading, answer from the notes so far, resume with more -----------------------


def _llm_steps(ws, run_id):
    return [s.name for s in load_run(ws, run_id)[1] if s.kind == "llm"]


def test_chain_stops_on_its_call_budget_keeping_one_call_for_the_manager_then_resumes(long_doc):
    ws, doc = long_doc
    log = []
    runner = ScriptedRunner(fn=worker_fn(log), context_window=700)
    answer = api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws, strategy="chain",
                     budget_calls=3)

    parts = int(re.search(r"of (\d+)", log[0]).group(1))
    assert _llm_steps(ws, answer.run_id) == [f"worker 1/{parts}", f"worker 2/{parts}", "manager"]
    assert len(runner.calls) == 3 and answer.usage.llm_calls == 3
    assert not answer.found  # the fact is on page 6, which was not read
    assert "budget of 3 LLM calls" in answer.partial and "--budget-calls" in answer.partial
    record, steps = load_run(ws, answer.run_id)
    assert record.status == "partial"
    stop = next(s.output for s in steps if s.name == "budget stop")
    assert (stop["windows_read"], stop["windows"]) == (2, parts)

    log.clear()
    resumed = api.resume(answer.run_id, model=runner, workspace=ws, budget_calls=50)
    workers = [int(re.match(r"Part (\d+)", p).group(1)) for p in log if p.startswith("Part ")]
    assert workers == list(range(3, parts + 1))  # from the window the budget stopped at
    assert resumed.text == "1903" and resumed.partial == "" and load_run(ws, answer.run_id)[0].status == "done"


def test_chain_token_budget_is_never_overshot(long_doc):
    ws, doc = long_doc
    runner = ScriptedRunner(fn=worker_fn([]), context_window=700)
    answer = api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws, strategy="chain",
                     budget_tokens=1500)
    assert answer.partial and answer.usage.total_tokens <= 1500
    assert _llm_steps(ws, answer.run_id)[-1] == "manager"


def test_a_budget_too_small_for_any_worker_and_the_manager_fails_with_the_reason(long_doc):
    ws, doc = long_doc
    runner = ScriptedRunner(fn=worker_fn([]), context_window=700)
    with pytest.raises(api.BudgetExceeded, match="budget of 1 LLM calls"):
        api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws, strategy="chain",
                budget_calls=1)
    assert runner.calls == []
    run_id = ws.db.execute("SELECT id FROM runs").fetchone()[0]
    assert load_run(ws, run_id)[0].status == "budget exceeded"


def mapper(seen, interrupt_at=None, relevant_only=True):
    """Map workers note the Merrow line (with ``relevant_only=False``, any window's first whole
    filler sentence too, as a real quote); the manager answers 1903 from a Merrow note, else 'tides'."""

    def respond(request):
        prompt = request.messages[-1].content
        if prompt.startswith("Part "):
            part = int(re.match(r"Part (\d+)", prompt).group(1))
            seen.append(part)
            if part == interrupt_at and not respond.interrupted:
                respond.interrupted = True
                raise KeyboardInterrupt
            window = prompt.split("Question:")[0]
            if "Merrow" in window:
                return "p. 6: The Merrow Sands light burned out in 1903."
            if relevant_only:
                return "nothing relevant"
            sentence = re.search(r"Filler sentence (\d+)-\d+ about tides and weather\.", window)
            return f"p. {sentence.group(1)}: {sentence.group(0)}"
        if "1903" in prompt:
            return "1903"
        return "tides" if "Filler" in prompt else "not found"

    respond.interrupted = False
    return respond


def test_mapreduce_stops_on_its_call_budget_and_answers_from_the_notes_it_has(long_doc):
    ws, doc = long_doc
    seen = []
    runner = ScriptedRunner(fn=mapper(seen, relevant_only=False), context_window=700)
    answer = api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws,
                     strategy="mapreduce", budget_calls=3)
    assert seen == [1, 2]
    assert _llm_steps(ws, answer.run_id) == ["map worker", "map worker", "manager"]
    assert answer.text == "tides"  # from the two notes it has, quoted from real sentences
    assert len(answer.citations) == 2 and answer.dropped_quotes == 0  # both notes quote their page
    assert "budget of 3 LLM calls" in answer.partial and load_run(ws, answer.run_id)[0].status == "partial"

    seen.clear()
    resumed = api.resume(answer.run_id, model=runner, workspace=ws, budget_calls=50)
    assert seen[0] == 3 and 1 not in seen and 2 not in seen
    assert resumed.text == "1903" and not resumed.partial
    assert (6, "The Merrow Sands light burned out in 1903.") in [(c.page_index, c.quote) for c in resumed.citations]
    assert load_run(ws, answer.run_id)[0].status == "done"


def test_interrupted_mapreduce_resumes_at_the_window_it_stopped(long_doc):
    ws, doc = long_doc
    seen = []
    runner = ScriptedRunner(fn=mapper(seen, interrupt_at=3), context_window=700)
    with pytest.raises(KeyboardInterrupt):
        api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws, strategy="mapreduce")
    run_id = ws.db.execute("SELECT id FROM runs").fetchone()[0]
    assert seen == [1, 2, 3] and load_run(ws, run_id)[0].status == "interrupted"

    seen.clear()
    answer = api.resume(run_id, model=runner, workspace=ws)
    assert seen[0] == 3 and min(seen) == 3  # windows 1 and 2 were not read again
    assert answer.text == "1903" and load_run(ws, run_id)[0].status == "done"


def test_mapreduce_in_parallel_maps_only_what_the_budget_covers(long_doc):
    ws, doc = long_doc
    seen = []
    runner = ScriptedRunner(fn=mapper(seen, relevant_only=False), context_window=700, max_parallel=4)
    answer = api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws,
                     strategy="mapreduce", budget_calls=4)
    assert sorted(seen) == [1, 2, 3]  # three map calls and the manager's
    assert answer.usage.llm_calls == 4 and answer.partial and answer.text == "tides"


def test_mapreduce_stopped_with_nothing_relevant_read_answers_not_found_without_the_manager(long_doc):
    ws, doc = long_doc
    seen = []
    runner = ScriptedRunner(fn=mapper(seen), context_window=700)
    answer = api.ask(doc.id, "When did the Merrow Sands light burn out?", model=runner, workspace=ws,
                     strategy="mapreduce", budget_calls=3)
    assert seen == [1, 2] and _llm_steps(ws, answer.run_id) == ["map worker", "map worker"]
    assert not answer.found and answer.partial
