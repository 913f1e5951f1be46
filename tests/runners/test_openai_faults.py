"""OpenAIRunner under failure: every fault is injected through the SDK's HTTP transport."""

from __future__ import annotations

import json

import httpx2
import pytest

from lcagent.runners.base import (
    ContextWindowExceeded,
    GenerationInterrupted,
    JsonSchema,
    RunnerError,
    user,
)
from lcagent.runners.openai_runner import StreamTruncated
from .openai_fakes import BASE_URL, ScriptedServer, chat_reply, error_reply, make_runner, stream_reply

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "page": {"type": "integer"}},
    "required": ["answer", "page"],
}


# --- retries -----------------------------------------------------------------------------


def test_429_storm_then_success_backs_off_exponentially():
    server = ScriptedServer(*[error_reply(429, "slow down")] * 3, chat_reply("fine", 20, 4))
    runner, sleeps = make_runner(server)

    completion = runner.complete([user("hi")])

    assert completion.text == "fine"
    assert len(server.requests) == 4  # three refusals, one success
    assert sleeps == [0.5, 1.0, 2.0]  # jitter pinned to its midpoint
    assert (runner.usage.llm_calls, runner.usage.prompt_tokens, runner.usage.completion_tokens) == (1, 20, 4)


def test_retry_after_header_is_honoured():
    server = ScriptedServer(error_reply(429, "slow down", headers={"retry-after": "3"}), chat_reply("ok"))
    runner, sleeps = make_runner(server)

    runner.complete([user("hi")])

    assert sleeps == [3.0]


def test_429_forever_gives_up_after_bounded_retries():
    server = ScriptedServer(error_reply(429, "Rate limit reached for requests"))
    runner, sleeps = make_runner(server)

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")])

    assert len(server.requests) == 5  # 1 attempt + max_retries=4
    assert len(sleeps) == 4
    message = str(raised.value)
    assert "429" in message and BASE_URL in message and "5 attempts" in message
    assert runner.usage.llm_calls == 0


def test_retry_after_longer_than_the_deadline_gives_up_at_once_and_says_why():
    server = ScriptedServer(error_reply(429, "quota", headers={"retry-after": "3600"}))
    runner, sleeps = make_runner(server)  # the default 120 s deadline

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")])

    assert len(server.requests) == 1 and sleeps == []
    message = str(raised.value)
    assert "429" in message and "asked to wait 3600 s" in message and "120 s deadline" in message
    assert "--timeout SECONDS" in message


def test_500s_are_retried_then_succeed():
    server = ScriptedServer(error_reply(500, "boom"), error_reply(502, "bad gateway"), chat_reply("recovered"))
    runner, sleeps = make_runner(server)

    assert runner.complete([user("hi")]).text == "recovered"
    assert len(server.requests) == 3 and sleeps == [0.5, 1.0]


def test_503_forever_names_status_endpoint_and_model():
    server = ScriptedServer(error_reply(503, "overloaded"))
    runner, _ = make_runner(server)

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")])

    message = str(raised.value)
    assert "503" in message and BASE_URL in message and "test-model" in message and "overloaded" in message


# --- errors the user must fix ---------------------------------------------------------------


def test_401_with_key_from_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    server = ScriptedServer(error_reply(401, "Incorrect API key provided", code="invalid_api_key"))
    runner, sleeps = make_runner(server, api_key=None)

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")])

    assert "OPENAI_API_KEY" in str(raised.value) and "401" in str(raised.value)
    assert len(server.requests) == 1 and sleeps == []  # a bad key is not retried
    assert server.requests[0].headers["authorization"] == "Bearer sk-wrong"


def test_unknown_model_names_endpoint_and_model():
    server = ScriptedServer(
        error_reply(404, "The model `gpt-9` does not exist or you do not have access to it.", code="model_not_found")
    )
    runner, _ = make_runner(server, model="gpt-9")

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")])

    message = str(raised.value)
    assert "'gpt-9'" in message and BASE_URL in message and "/models" in message


def test_wrong_base_path_404_suggests_checking_the_url():
    server = ScriptedServer(httpx2.Response(404, text="Not Found"))
    runner, _ = make_runner(server)

    with pytest.raises(RunnerError, match="check the base URL"):
        runner.complete([user("hi")])


def test_server_context_error_carries_the_servers_numbers():
    server = ScriptedServer(
        error_reply(
            400,
            "This model's maximum context length is 8192 tokens. However, you requested 9100 tokens "
            "(9000 in the messages, 100 in the completion).",
            code="context_length_exceeded",
        )
    )
    runner, sleeps = make_runner(server, context_window=100_000)  # our own check lets it through

    with pytest.raises(ContextWindowExceeded) as raised:
        runner.complete([user("hi")], max_tokens=100)

    assert (raised.value.prompt_tokens, raised.value.context_window, raised.value.max_tokens) == (9000, 8192, 100)
    assert sleeps == []


def test_prompt_over_context_window_is_caught_before_sending():
    server = ScriptedServer(chat_reply("never sent"))
    runner, _ = make_runner(server, context_window=512)

    with pytest.raises(ContextWindowExceeded) as raised:
        runner.complete([user("word " * 2000)], max_tokens=64)

    assert server.requests == []
    assert raised.value.context_window == 512 and raised.value.prompt_tokens > 1900


def test_timeout_is_retried_then_reported_with_the_limit():
    server = ScriptedServer(httpx2.ReadTimeout("read timed out"))
    runner, sleeps = make_runner(server, timeout=7.5)

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")])

    assert len(server.requests) == 5 and len(sleeps) == 4
    assert "7.5 s" in str(raised.value) and BASE_URL in str(raised.value)


def test_connection_refused_suggests_starting_the_server():
    server = ScriptedServer(httpx2.ConnectError("[Errno 111] Connection refused"))
    runner, _ = make_runner(server)

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")])

    message = str(raised.value)
    assert BASE_URL in message and "is it running" in message and "lcagent serve" in message


# --- structured output ---------------------------------------------------------------------


def test_malformed_json_is_retried_once_with_the_problem_then_fails_naming_the_endpoint():
    server = ScriptedServer(chat_reply("Sure! The answer is 42.", 30, 8))
    runner, _ = make_runner(server)

    with pytest.raises(RunnerError) as raised:
        runner.complete([user("answer")], constraint=JsonSchema(ANSWER_SCHEMA, "answer"))

    assert len(server.requests) == 2
    message = str(raised.value)
    assert BASE_URL in message and "test-model" in message and "not valid JSON" in message
    retry_messages = server.bodies()[1]["messages"]
    assert retry_messages[-2] == {"role": "assistant", "content": "Sure! The answer is 42."}
    assert "not valid JSON" in retry_messages[-1]["content"]


def test_invalid_json_fixed_on_the_retry_counts_both_calls():
    server = ScriptedServer(chat_reply('{"answer": "x"}', 30, 5), chat_reply('{"answer": "x", "page": 3}', 50, 9))
    runner, _ = make_runner(server)

    completion = runner.complete([user("answer")], constraint=JsonSchema(ANSWER_SCHEMA))

    assert json.loads(completion.text) == {"answer": "x", "page": 3}
    assert (completion.prompt_tokens, completion.completion_tokens) == (80, 14)
    assert "page" in server.bodies()[1]["messages"][-1]["content"]


def test_json_schema_rejected_falls_back_and_remembers_the_mode():
    # llama.cpp's server answers response_format json_schema with HTTP 500
    server = ScriptedServer(
        error_reply(500, "Internal Server Error"),
        chat_reply('{"answer": "a", "page": 1}'),
        chat_reply('{"answer": "b", "page": 2}'),
    )
    runner, sleeps = make_runner(server)  # generic server: json_schema is tried first

    first = runner.complete([user("q1")], constraint=JsonSchema(ANSWER_SCHEMA))
    second = runner.complete([user("q2")], constraint=JsonSchema(ANSWER_SCHEMA))

    formats = [body["response_format"]["type"] for body in server.bodies()]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert server.bodies()[1]["response_format"]["schema"] == ANSWER_SCHEMA
    assert runner.json_mode == "json_object_schema"
    assert sleeps == []  # a rejected mode is not retried
    assert json.loads(first.text)["page"] == 1 and json.loads(second.text)["page"] == 2


def test_fenced_json_is_accepted():
    server = ScriptedServer(chat_reply('```json\n{"answer": "x", "page": 2}\n```'))
    runner, _ = make_runner(server)

    completion = runner.complete([user("q")], constraint=JsonSchema(ANSWER_SCHEMA))

    assert json.loads(completion.text) == {"answer": "x", "page": 2}


# --- streaming -------------------------------------------------------------------------------


def test_truncated_stream_reports_how_much_arrived():
    server = ScriptedServer(
        stream_reply(["The answer ", "is on page"], finish=False, then=httpx2.RemoteProtocolError("peer closed"))
    )
    runner, _ = make_runner(server)
    received: list[str] = []

    with pytest.raises(StreamTruncated) as raised:
        for piece in runner.stream([user("q")]):
            received.append(piece)

    assert "".join(received) == "The answer is on page"
    assert raised.value.partial_text == "The answer is on page"
    assert "21 characters" in str(raised.value) and BASE_URL in str(raised.value)
    assert runner.usage.llm_calls == 1 and runner.usage.completion_tokens > 0  # what was spent is counted


def test_stream_that_ends_without_finishing_is_truncated():
    server = ScriptedServer(stream_reply(["partial"], finish=False))
    runner, _ = make_runner(server)

    with pytest.raises(StreamTruncated, match="7 characters"):
        list(runner.stream([user("q")]))


def test_ctrl_c_during_stream_keeps_partial_text_and_usage():
    server = ScriptedServer(stream_reply(["Half ", "an answer"], finish=False, then=KeyboardInterrupt()))
    runner, _ = make_runner(server)

    with pytest.raises(GenerationInterrupted) as raised:
        list(runner.stream([user("q")]))

    partial = raised.value.partial
    assert partial.text == "Half an answer" and partial.finish_reason == "interrupted"
    assert runner.usage.llm_calls == 1 and runner.usage.completion_tokens == partial.completion_tokens > 0


def test_stream_connection_refused_is_a_clear_error():
    server = ScriptedServer(httpx2.ConnectError("Connection refused"))
    runner, _ = make_runner(server)

    with pytest.raises(RunnerError, match="is it running"):
        list(runner.stream([user("q")]))
