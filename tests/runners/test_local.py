"""The local llama.cpp runner with the bundled SmolLM2 model: real generations, tiny budgets."""

from __future__ import annotations

import json
import re
import threading
import uuid

import pytest

from lcagent.runners.base import (
    Choice,
    ContextWindowExceeded,
    GenerationInterrupted,
    Grammar,
    JsonSchema,
    RunnerError,
    system,
    user,
)
from lcagent.runners.local import LocalRunner
from lcagent.runners.schema_check import schema_errors

QUESTION = [system("Answer briefly."), user("What colour is the sky on a clear day?")]


@pytest.mark.slow
def test_completes_with_exact_usage(local_runner):
    before = local_runner.usage.llm_calls
    completion = local_runner.complete(QUESTION, max_tokens=8)
    assert completion.text.strip()
    assert 1 <= completion.completion_tokens <= 8
    assert completion.prompt_tokens == local_runner.prompt_tokens(QUESTION)
    assert completion.finish_reason in ("stop", "length")
    assert completion.model == "SmolLM2-135M-Instruct.Q4_1"
    assert local_runner.usage.llm_calls == before + 1


@pytest.mark.slow
def test_is_deterministic_at_temperature_zero(local_runner):
    first = local_runner.complete(QUESTION, max_tokens=6).text
    assert local_runner.complete(QUESTION, max_tokens=6).text == first


@pytest.mark.slow
def test_counts_tokens_with_the_model_tokenizer(local_runner):
    assert local_runner.count_tokens("") == 0
    assert local_runner.count_tokens("Hello world") == 2
    assert local_runner.count_tokens(" ".join(["Hello world"] * 100)) == 200
    assert local_runner.context_window == 4096
    assert local_runner.trained_context == 8192


@pytest.mark.slow
def test_json_schema_output_parses_and_validates(local_runner):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "confident": {"type": "boolean"}},
        "required": ["city", "confident"],
        "additionalProperties": False,
    }
    completion = local_runner.complete(
        [user("What is the capital of France? Reply in JSON.")], max_tokens=40, constraint=JsonSchema(schema)
    )
    assert schema_errors(json.loads(completion.text), schema) == []


@pytest.mark.slow
def test_choice_returns_one_of_the_options(local_runner):
    options = ("search", "read page", "answer now")
    completion = local_runner.complete(
        [user("You have not read anything yet. What do you do first?")], max_tokens=1, constraint=Choice(options)
    )
    assert completion.text in options  # even with max_tokens=1: a choice is never cut off


@pytest.mark.slow
def test_grammar_constrains_the_output(local_runner):
    gbnf = 'root ::= ("yes" | "no") ", page " [1-9] [0-9]?'
    completion = local_runner.complete(
        [user("Is the warranty mentioned? Say yes or no and the page.")], max_tokens=10, constraint=Grammar(gbnf)
    )
    assert re.fullmatch(r"(yes|no), page [1-9][0-9]?", completion.text)


@pytest.mark.slow
def test_bad_grammar_is_a_clear_error_not_a_crash(local_runner):
    with pytest.raises(RunnerError, match="could not parse the GBNF grammar"):
        local_runner.complete([user("hi")], max_tokens=3, constraint=Grammar('root ::= "unterminated'))


@pytest.mark.slow
def test_prompt_too_long_is_refused_before_generating(local_runner, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("generate() was called for a prompt that cannot fit")

    monkeypatch.setattr(local_runner._llm, "generate", must_not_run)
    calls_before = local_runner.usage.llm_calls
    with pytest.raises(ContextWindowExceeded) as raised:
        local_runner.complete([user("word " * 5000)], max_tokens=100)
    assert raised.value.prompt_tokens > 5000
    assert raised.value.context_window == 4096
    assert "4096-token context window" in str(raised.value)
    assert local_runner.usage.llm_calls == calls_before


@pytest.mark.slow
def test_repeated_prefix_reuses_the_kv_cache(local_runner):
    # A unique document so an earlier test cannot have cached it.
    marker = uuid.uuid4().hex
    document = f"Report {marker}. " + " ".join(
        f"Section {i}: the pump in hall {i} was serviced on day {i * 3} and passed inspection." for i in range(14)
    )
    first = [system("Answer from the document."), user(f"{document}\n\nWhen was the pump in hall 4 serviced?")]
    second = [system("Answer from the document."), user(f"{document}\n\nWhen was the pump in hall 9 serviced?")]
    local_runner.complete(first, max_tokens=2)
    cold = local_runner.last_timings
    local_runner.complete(second, max_tokens=2)
    warm = local_runner.last_timings
    assert cold.prompt_tokens > 250
    assert warm.reused_tokens >= warm.prompt_tokens - 20
    assert warm.prompt_seconds < cold.prompt_seconds / 3, (cold, warm)


@pytest.mark.slow
def test_ctrl_c_returns_the_partial_completion(local_runner, monkeypatch):
    real_piece = local_runner._piece
    seen = []

    def interrupt_on_third_token(token):
        seen.append(token)
        if len(seen) == 3:
            raise KeyboardInterrupt
        return real_piece(token)

    monkeypatch.setattr(local_runner, "_piece", interrupt_on_third_token)
    with pytest.raises(GenerationInterrupted) as raised:
        local_runner.complete([user("Count from one to twenty in words.")], max_tokens=20)
    partial = raised.value.partial
    assert partial.finish_reason == "interrupted"
    assert partial.completion_tokens == 2 and partial.text
    monkeypatch.undo()
    assert local_runner.complete(QUESTION, max_tokens=3).text  # still usable afterwards


@pytest.mark.slow
def test_calls_from_threads_are_serialised(local_runner):
    results, errors = [], []

    def ask():
        try:
            results.append(local_runner.complete(QUESTION, max_tokens=4).text)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(results)) == 1


@pytest.mark.slow
def test_native_tools_are_refused_with_advice(local_runner):
    with pytest.raises(RunnerError, match="JsonSchema"):
        local_runner.complete([user("hi")], tools=[{"type": "function", "function": {"name": "search"}}])


def test_missing_model_file_names_the_path(tmp_path):
    missing = tmp_path / "nowhere.gguf"
    with pytest.raises(RunnerError, match=re.escape(str(missing))):
        LocalRunner(str(missing))


def test_a_file_that_is_not_gguf_is_refused(tmp_path):
    not_a_model = tmp_path / "model.gguf"
    not_a_model.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(RunnerError, match="not a GGUF model file"):
        LocalRunner(str(not_a_model))


def test_a_corrupt_gguf_is_a_runner_error(tmp_path):
    pytest.importorskip("llama_cpp")
    corrupt = tmp_path / "broken.gguf"
    corrupt.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    with pytest.raises(RunnerError, match="corrupt") as raised:
        LocalRunner(str(corrupt))
    assert str(corrupt) in str(raised.value)
