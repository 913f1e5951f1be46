"""Tags from the command line: `ingest --tag`, `docs --tag`, and asking a tag."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lcagent.cli import cli
from lcagent.memory.workspace import Workspace


def _files(tmp_path):
    (tmp_path / "audit.txt").write_text("Audit letter. The auditor flagged the inventory count in 2023.\n")
    (tmp_path / "memo.txt").write_text("Staff memo. The canteen opens at eight.\n")
    (tmp_path / "other.txt").write_text("Unrelated notes about the garden fence.\n")
    return tmp_path / "ws"


def _run(args):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result


def test_ingest_tags_documents_and_docs_filters_by_tag(tmp_path):
    ws = _files(tmp_path)
    first = _run(["ingest", str(tmp_path / "audit.txt"), str(tmp_path / "memo.txt"), "--tag", "q4", "-t", "audit",
                  "--no-embed", "--workspace", str(ws), "--json"])
    assert first.exit_code == 0, first.output
    assert [row["tags"] for row in json.loads(first.output)["ingested"]] == [["audit", "q4"], ["audit", "q4"]]
    assert _run(["ingest", str(tmp_path / "other.txt"), "--no-embed", "--workspace", str(ws)]).exit_code == 0
    # a document stored before gains a tag when ingested again with one
    again = _run(["ingest", str(tmp_path / "memo.txt"), "--tag", "staff", "--no-embed", "--workspace", str(ws), "--json"])
    assert json.loads(again.output)["ingested"][0]["tags"] == ["audit", "q4", "staff"]

    listed = json.loads(_run(["docs", "--tag", "q4", "--workspace", str(ws), "--json"]).output)
    assert sorted(d["name"] for d in listed) == ["audit.txt", "memo.txt"]
    everything = json.loads(_run(["docs", "--workspace", str(ws), "--json"]).output)
    assert {d["name"]: d["tags"] for d in everything} == {
        "audit.txt": ["audit", "q4"], "memo.txt": ["audit", "q4", "staff"], "other.txt": []}
    with Workspace(ws) as opened:
        assert opened.tags.all_tags() == {"audit": 2, "q4": 2, "staff": 1}


def test_a_bad_tag_is_refused_before_anything_is_stored(tmp_path):
    ws = _files(tmp_path)
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "audit.txt"), "--tag", "two words", "--no-embed",
                                      "--workspace", str(ws)])
    assert result.exit_code != 0
    assert "invalid tag 'two words'" in str(result.exception)
    with Workspace(ws) as opened:
        assert opened.documents() == []


def test_docs_of_an_unknown_tag_says_how_to_tag(tmp_path):
    ws = _files(tmp_path)
    _run(["ingest", str(tmp_path / "audit.txt"), "--no-embed", "--workspace", str(ws)])
    result = CliRunner().invoke(cli, ["docs", "--tag", "nope", "--workspace", str(ws)])
    assert result.exit_code == 0
    assert "no documents tagged 'nope'" in result.output and "--tag nope" in result.output


def test_asking_a_tag_reads_only_its_documents(tmp_path):
    ws = _files(tmp_path)
    _run(["ingest", str(tmp_path / "audit.txt"), str(tmp_path / "memo.txt"), "--tag", "q4", "--no-embed",
          "--workspace", str(ws)])
    _run(["ingest", str(tmp_path / "other.txt"), "--no-embed", "--workspace", str(ws)])
    result = _run(["ask", "--tag", "q4", "What did the auditor flag?", "--strategy", "tools", "--workspace", str(ws),
                   "--json"])
    answer = json.loads(result.output)
    assert "inventory" in answer["text"]
    assert {c["doc_name"] for c in answer["citations"]} == {"audit.txt"}
    assert len(answer["searched"]) == 2
