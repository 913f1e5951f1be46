"""CI runs what a new user runs: a fresh virtual environment, then the README's second command."""

from pathlib import Path

CI_RUN = Path(__file__).resolve().parent.parent / ".ci" / "run"


def test_ci_installs_nothing_before_the_readme_command():
    commands = [line.strip() for line in CI_RUN.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    before = commands[: commands.index('bash -c "$test_command"')]
    installs = [command for command in before if "pip install" in command]
    assert installs == ["python -m pip install --quiet --upgrade pip"]
    assert not any("CMAKE_ARGS" in command or "llama-cpp-python" in command for command in before)
    assert "python3 -m venv .venv" in before
