"""CI runs what a new user runs: a fresh virtual environment, then the README's second command."""

from pathlib import Path

CI_RUN = Path(__file__).resolve().parent.parent / ".ci" / "run"


def test_ci_installs_only_pip_and_postgresql_before_the_readme_command():
    commands = [line.strip() for line in CI_RUN.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    before = commands[: commands.index('bash -c "$test_command"')]
    installs = [command for command in before if "pip install" in command]
    assert installs == ["python -m pip install --quiet --upgrade pip"]
    assert not any("CMAKE_ARGS" in command or "llama-cpp-python" in command for command in before)
    assert "python3 -m venv .venv" in before
    # One system package is allowed before it: PostgreSQL's server binaries, which the storage
    # tests start a private server from (a user runs the same tests by installing it too).
    system = [command for command in before if "apt-get install" in command]
    assert len(system) == 1
    words = system[0].split("apt-get install", 1)[1].split()
    packages = [word for word in words[: next(i for i, w in enumerate(words) if w.startswith(">"))] if not word.startswith("-")]
    assert packages == ["postgresql"]


def test_ci_runs_the_readme_command_last():
    commands = [line.strip() for line in CI_RUN.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == 'bash -c "$test_command"'
    assert any("sed -n 2p" in command for command in commands)  # the README's second command, as written
