"""The README's promises, run for real: its Python snippet and its first command's question."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_setup_commands_are_the_first_block():
    first_block = re.search(r"```sh\n(.*?)```", README.read_text(), re.S).group(1).strip().splitlines()
    assert first_block[0].startswith('pip install ".[local]" && lcagent ask examples/field_guide.pdf')
    assert first_block[1] == 'pip install ".[local,server,bench,test]" && python -m pytest'
    ci = (README.parent / ".ci" / "run").read_text()
    assert "sed -n 2p" in ci and 'bash -c "$test_command"' in ci


@pytest.mark.slow
def test_python_snippets_run(tmp_path):
    for block in python_blocks():
        result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=README.parent,
                                env={**_env(tmp_path)}, timeout=600)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == "219"
        assert lines[1].startswith('p. 7 (label 5): "Cape Vell Light is the tallest light on the coast')


@pytest.mark.slow
def test_langchain_snippet_runs(tmp_path):
    pytest.importorskip("langchain_core", reason="needs the langchain extra (pip install '.[langchain]')")
    [block] = re.findall(r"```py\n(.*?)```", README.read_text(), re.S)
    block = block.replace("~/lcagent-ws", str(tmp_path / "ws"))
    result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=README.parent,
                            env=_env(tmp_path), timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1987"
    assert any((tmp_path / "ws").glob("*.db"))  # the snippet's workspace, not the user's home


@pytest.mark.slow
def test_first_command_answers_with_a_checked_citation(tmp_path):
    question = re.search(r'lcagent ask examples/field_guide.pdf "([^"]+)"', README.read_text()).group(1)
    result = subprocess.run([sys.executable, "-m", "lcagent", "ask", "examples/field_guide.pdf", question, "--json"],
                            capture_output=True, text=True, cwd=README.parent, env=_env(tmp_path), timeout=600)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["text"] == "1987"
    assert (answer["citations"][0]["page_index"], answer["citations"][0]["page_label"]) == (4, "2")
    assert answer["citations"][0]["quote"].startswith("The Harrow Point light was automated in 1987")


def _env(tmp_path) -> dict:
    import os

    return {**os.environ, "LCAGENT_HOME": str(tmp_path / "home")}
