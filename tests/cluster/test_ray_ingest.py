"""``lcagent ingest --ray``: workers extract, chunk and embed; the driver stores each document whole.

Runs on the session's local Ray instance (2 CPUs). A worker killed mid-file loses nothing and
half-writes nothing: Ray reads the file again elsewhere, or, with no retries left, it is reported.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lcagent.cli import cli
from lcagent.cluster.ingest import ingest_on_pool
from lcagent.cluster.pools import RayPool
from lcagent.ingest import ingest_file
from lcagent.memory.workspace import Workspace

from .conftest import WorkerKiller, assert_whole, marked_pdfs

pytestmark = pytest.mark.timeout(600)


def test_documents_prepared_on_ray_equal_those_ingested_here(ray_instance, tmp_path):
    pdfs = marked_pdfs(tmp_path / "pdfs", count=4, pages=6)
    broken = tmp_path / "pdfs" / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    with Workspace(tmp_path / "ray-ws") as ws:
        outcomes = list(ingest_on_pool(ws, [*pdfs.values(), broken], RayPool(2)))
        assert [o.path.name for o in outcomes if o.error] == ["broken.pdf"]
        assert "broken.pdf is a damaged or truncated PDF" in next(o.error for o in outcomes if o.error)
        assert sorted(o.result.status for o in outcomes if o.result) == ["new"] * 4
        with Workspace(tmp_path / "local-ws") as local:
            for path in pdfs.values():
                here = ingest_file(local, path).document
                there = ws.get(here.id)
                assert (there.name, there.path, there.pages, there.tokens, there.chunks, there.title) == \
                       (here.name, here.path, here.pages, here.tokens, here.chunks, here.title)
                assert ws.pages(here.id) == local.pages(here.id)
                assert ws.chunks(here.id) == local.chunks(here.id)
        again = list(ingest_on_pool(ws, list(pdfs.values()), RayPool(2)))  # known bytes: lookups, no task
        assert [o.result.status for o in again] == ["unchanged"] * 4
    assert len(assert_whole(tmp_path / "ray-ws", pdfs)) == 4


def test_vectors_computed_on_workers_are_stored_with_the_document(ray_instance, tmp_path):
    pdfs = marked_pdfs(tmp_path / "pdfs", count=2, pages=3, words_per_page=20)
    with Workspace(tmp_path / "ws") as ws:
        outcomes = list(ingest_on_pool(ws, list(pdfs.values()), RayPool(2), embed_limit=1000))
        for outcome in outcomes:
            report = outcome.result.embedding
            document = outcome.result.document
            assert report.skipped is None and report.embedded == document.chunks and report.remaining == 0
            assert ws.vectors.embedded_chunks(document.id, report.model) == set(range(document.chunks))
        over = marked_pdfs(tmp_path / "more", count=1, pages=4, words_per_page=20)  # other bytes
        [skipped] = list(ingest_on_pool(ws, list(over.values()), RayPool(2), embed_limit=0))
        assert "over the ingest limit of 0" in skipped.result.embedding.skipped


def test_a_worker_killed_mid_file_is_retried_and_nothing_is_half_written(ray_instance, tmp_path):
    pdfs = marked_pdfs(tmp_path / "pdfs", count=6, pages=300)
    with Workspace(tmp_path / "ws") as ws, WorkerKiller("prepare_on_worker", after=0.3) as killer:
        outcomes = list(ingest_on_pool(ws, list(pdfs.values()), RayPool(2)))
    assert killer.killed, "no worker was caught mid-file"
    assert [o.error for o in outcomes if o.error] == []
    assert sorted(o.result.status for o in outcomes) == ["new"] * 6
    assert len(assert_whole(tmp_path / "ws", pdfs)) == 6


def test_with_no_retries_left_the_killed_file_is_reported_and_the_others_stored(ray_instance, tmp_path):
    pdfs = marked_pdfs(tmp_path / "pdfs", count=4, pages=300)
    with Workspace(tmp_path / "ws") as ws, WorkerKiller("prepare_on_worker", after=0.3) as killer:
        outcomes = list(ingest_on_pool(ws, list(pdfs.values()), RayPool(2, retries=0)))
    assert killer.killed
    [failed] = [o for o in outcomes if o.error]
    assert "the worker reading it died" in failed.error and "nothing of it was stored" in failed.error
    stored = assert_whole(tmp_path / "ws", pdfs)
    assert len(stored) == 3 and str(failed.path) not in [str(pdfs[m].resolve()) for m in stored]


def test_cli_ingest_on_ray(ray_instance, tmp_path):
    pdfs = marked_pdfs(tmp_path / "pdfs", count=3, pages=4)
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "pdfs"), "--ray", "--no-embed", "--json",
                                      "-w", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(row["name"] for row in report["ingested"]) == sorted(p.name for p in pdfs.values())
    assert {row["status"] for row in report["ingested"]} == {"new"} and report["errors"] == []
    assert len(assert_whole(tmp_path / "ws", pdfs)) == 3


def test_a_local_pool_worker_killed_mid_file_is_retried_in_a_fresh_pool(tmp_path, _isolated_home):
    from lcagent.cluster.pools import LocalPool
    from lcagent.tokens import get_encoding

    get_encoding()
    pdfs = marked_pdfs(tmp_path / "pdfs", count=4, pages=300)
    pool = LocalPool(2)
    try:
        with Workspace(tmp_path / "ws") as ws, WorkerKiller(None, after=0.3) as killer:
            outcomes = list(ingest_on_pool(ws, list(pdfs.values()), pool))
    finally:
        pool.close()
    assert killer.killed
    assert [o.error for o in outcomes if o.error] == []
    assert len(assert_whole(tmp_path / "ws", pdfs)) == 4
