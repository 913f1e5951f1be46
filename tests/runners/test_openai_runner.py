"""OpenAIRunner: request building against a scripted transport, then the real llama.cpp server."""

from __future__ import annotations

import json
import time

import pytest

from lcagent.runners.base import (
    Choice,
    ContextWindowExceeded,
    Grammar,
    JsonSchema,
    Request,
    RunnerError,
    system,
    user,
)
from lcagent.runners.http_retry import RetryPolicy, parse_retry_after
from lcagent.runners.json_output import check_json, validate
from lcagent.runners.openai_runner import (
    DEFAULT_CONTEXT_WINDOW,
    PLACEHOLDER_KEY,
    OpenAIRunner,
    encoding_for,
    gbnf_choice,
    guess_server_kind,
)
from .llama_server import free_port, llama_server  # noqa: F401  (session fixture)
from .openai_fakes import ScriptedServer, chat_reply, make_runner, stream_reply

CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
}


# --- configuration -------------------------------------------------------------------------


def test_api_openai_com_without_a_key_says_which_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(RunnerError, match="OPENAI_API_KEY"):
        OpenAIRunner("gpt-4o-mini")


def test_local_server_without_a_key_gets_a_placeholder(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = ScriptedServer(chat_reply("hi"))
    runner, _ = make_runner(server, api_key=None, base_url="http://127.0.0.1:8080/v1")

    runner.complete([user("hello")])

    assert server.requests[0].headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"
    assert str(server.requests[0].url) == "http://127.0.0.1:8080/v1/chat/completions"


def test_base_url_from_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://10.0.0.5:8000/v1")
    server = ScriptedServer(chat_reply("hi"))
    runner, _ = make_runner(server, base_url=None)

    runner.complete([user("hello")])

    assert str(server.requests[0].url).startswith("http://10.0.0.5:8000/v1/")


def test_context_window_from_argument_table_or_default():
    server = ScriptedServer(chat_reply())
    assert make_runner(server, context_window=32_000)[0].context_window == 32_000
    runner, _ = make_runner(server, model="gpt-4o-mini-2024-07-18", context_window=None)
    assert runner.context_window == 128_000
    runner, _ = make_runner(server, model="some-local-model", context_window=None)
    assert runner.context_window == DEFAULT_CONTEXT_WINDOW and "context_window=" in runner.context_window_note


def test_encoding_and_server_kind_guesses():
    assert encoding_for("gpt-4o") == "o200k_base" and encoding_for("SmolLM2-135M") == "cl100k_base"
    assert guess_server_kind(None) == "openai"
    assert guess_server_kind("http://localhost:11434/v1") == "ollama"
    assert guess_server_kind("http://127.0.0.1:8080/v1") == "generic"


def test_count_tokens_works_offline():
    runner, _ = make_runner(ScriptedServer(chat_reply()))
    assert runner.count_tokens("hello world") == 2


# --- request building ----------------------------------------------------------------------------


def test_plain_request_body_and_usage():
    server = ScriptedServer(chat_reply("Paris", prompt_tokens=21, completion_tokens=2))
    runner, _ = make_runner(server)

    completion = runner.complete([system("terse"), user("Capital of France?")], max_tokens=8, stop=["\n"])

    body = server.bodies()[0]
    assert body["messages"] == [{"role": "system", "content": "terse"}, {"role": "user", "content": "Capital of France?"}]
    assert (body["max_tokens"], body["temperature"], body["stop"]) == (8, 0.0, ["\n"])
    assert (completion.text, completion.prompt_tokens, completion.completion_tokens) == ("Paris", 21, 2)
    assert runner.usage.llm_calls == 1 and runner.usage.total_tokens == 23


def test_official_api_gets_max_completion_tokens():
    server = ScriptedServer(chat_reply())
    runner, _ = make_runner(server, base_url="https://api.openai.com/v1")
    runner.complete([user("q")], max_tokens=9)
    assert server.bodies()[0]["max_completion_tokens"] == 9 and "max_tokens" not in server.bodies()[0]


def test_missing_usage_is_counted_locally():
    server = ScriptedServer(chat_reply("two words", usage=False))
    runner, _ = make_runner(server)
    completion = runner.complete([user("q")])
    assert completion.completion_tokens == 2 and completion.prompt_tokens > 0


def test_native_tool_calls_round_trip():
    call = {"id": "call_1", "type": "function", "function": {"name": "search", "arguments": '{"query": "fox"}'}}
    server = ScriptedServer(chat_reply(None, finish_reason="tool_calls", tool_calls=[call]))
    runner, _ = make_runner(server)
    tool = {"name": "search", "description": "find text", "parameters": {"type": "object", "properties": {}}}

    completion = runner.complete([user("find the fox")], tools=[tool])

    assert server.bodies()[0]["tools"] == [{"type": "function", "function": tool}]
    assert completion.finish_reason == "tool_calls" and completion.text == ""
    assert [(c.id, c.name, json.loads(c.arguments)) for c in completion.tool_calls] == [("call_1", "search", {"query": "fox"})]
    assert runner.capabilities.native_tools


def test_llama_cpp_kind_sends_grammar_and_neutral_repeat_penalty():
    server = ScriptedServer(chat_reply("yes"))
    runner, _ = make_runner(server, server_kind="llama.cpp")

    runner.complete([user("q")], constraint=Grammar('root ::= "yes" | "no"'))

    body = server.bodies()[0]
    assert body["grammar"] == 'root ::= "yes" | "no"' and body["repeat_penalty"] == 1.0


def test_vllm_kind_uses_structured_outputs_for_grammar_and_choice():
    server = ScriptedServer(chat_reply("b"))
    runner, _ = make_runner(server, server_kind="vllm")

    runner.complete([user("q")], constraint=Grammar('root ::= "a"'))
    assert runner.complete([user("q")], constraint=Choice(("a", "b"))).text == "b"

    bodies = server.bodies()
    assert bodies[0]["structured_outputs"] == {"grammar": 'root ::= "a"'}
    assert bodies[1]["structured_outputs"] == {"choice": ["a", "b"]}


def test_grammar_on_a_generic_server_is_refused_with_a_hint():
    server = ScriptedServer(chat_reply())
    runner, _ = make_runner(server)
    with pytest.raises(RunnerError, match="server_kind='llama.cpp'"):
        runner.complete([user("q")], constraint=Grammar('root ::= "a"'))
    assert server.requests == []


def test_choice_on_a_generic_server_goes_through_json():
    server = ScriptedServer(chat_reply('{"choice": "maybe"}'))
    runner, _ = make_runner(server)

    completion = runner.complete([user("q")], constraint=Choice(("yes", "no", "maybe")))

    assert completion.text == "maybe"
    schema = server.bodies()[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["choice"]["enum"] == ["yes", "no", "maybe"]


def test_json_instruction_is_appended_after_the_document_prefix():
    server = ScriptedServer(chat_reply('{"city": "Paris", "country": "France"}'))
    runner, _ = make_runner(server, server_kind="llama.cpp")

    runner.complete([system("DOC"), user("question")], constraint=JsonSchema(CITY_SCHEMA))

    messages = server.bodies()[0]["messages"]
    assert messages[0] == {"role": "system", "content": "DOC"}
    assert messages[1]["content"].startswith("question\n\n") and '"required":["city","country"]' in messages[1]["content"]
    assert server.bodies()[0]["response_format"] == {"type": "json_object", "schema": CITY_SCHEMA}


def test_complete_many_runs_requests_concurrently_and_keeps_order():
    server = ScriptedServer(lambda request: chat_reply(json.loads(request.content)["messages"][-1]["content"]))
    runner, _ = make_runner(server)
    requests = [Request((user(str(number)),), max_tokens=4) for number in range(12)]

    completions = runner.complete_many(requests)

    assert [c.text for c in completions] == [str(number) for number in range(12)]
    assert runner.max_parallel == 8 and runner.usage.llm_calls == 12


def test_stream_yields_text_and_records_server_usage():
    server = ScriptedServer(stream_reply(["Par", "is"], usage={"prompt_tokens": 30, "completion_tokens": 2, "total_tokens": 32}))
    runner, _ = make_runner(server)

    assert list(runner.stream([user("q")], max_tokens=5)) == ["Par", "is"]

    assert server.bodies()[0]["stream_options"] == {"include_usage": True}
    assert (runner.last_stream.text, runner.last_stream.prompt_tokens, runner.last_stream.completion_tokens) == ("Paris", 30, 2)
    assert runner.usage.llm_calls == 1 and runner.usage.prompt_tokens == 30


def test_stream_without_usage_counts_locally():
    server = ScriptedServer(stream_reply(["hello ", "world"], usage=None))
    runner, _ = make_runner(server)
    list(runner.stream([user("q")]))
    assert runner.last_stream.completion_tokens == 2 and runner.last_stream.prompt_tokens > 0


# --- helpers ------------------------------------------------------------------------------------


def test_retry_policy_schedule_jitter_and_bounds():
    policy = RetryPolicy(max_retries=3, initial_delay=1.0, max_delay=3.0, jitter=0.5, random_source=lambda: 0.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 1.5, None]
    # a server's Retry-After wins; whether it fits the call's deadline is the runner's decision
    assert policy.delay(1, retry_after=2.5) == 2.5 and policy.delay(1, retry_after=3600) == 3600
    assert policy.delay(4, retry_after=1) is None  # no repeats left


def test_parse_retry_after_forms():
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    assert parse_retry_after({}) is None
    from datetime import datetime, timezone

    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after({"retry-after": "Wed, 01 Jan 2025 12:00:05 GMT"}, now=now) == 5.0


def test_json_checks_name_the_problem():
    assert check_json('{"city": "Paris", "country": "France"}', CITY_SCHEMA).ok
    assert "not valid JSON" in check_json("Paris!", CITY_SCHEMA).problems[0]
    problems = check_json('{"city": 3}', CITY_SCHEMA).problems
    assert any("country" in p for p in problems) and any("city" in p for p in problems)
    assert validate({"n": True}, {"type": "object", "properties": {"n": {"type": "integer"}}})


def test_minimal_validator_without_jsonschema(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_jsonschema(name, *args, **kwargs):
        if name == "jsonschema":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jsonschema)
    schema = {"type": "object", "properties": {"tags": {"type": "array", "items": {"enum": ["a", "b"]}}},
              "required": ["tags"], "additionalProperties": False}  # fmt: skip
    assert validate({"tags": ["a"]}, schema) == []
    problems = validate({"tags": ["c"], "x": 1}, schema)
    assert len(problems) == 2 and "$.tags[0]" in problems[0] + problems[1] and "x" in problems[0] + problems[1]


def test_gbnf_choice_escapes_quotes():
    assert gbnf_choice(['say "hi"', "no"]) == 'root ::= "say \\"hi\\"" | "no"'


# --- the real llama.cpp server ------------------------------------------------------------------


def _server_runner(server, **options) -> OpenAIRunner:
    options.setdefault("context_window", server.n_ctx)
    return OpenAIRunner("smollm2", base_url=server.base_url, timeout=60, max_retries=1, **options)


@pytest.mark.slow
def test_real_server_completion_with_usage(llama_server):
    runner = _server_runner(llama_server)

    completion = runner.complete([user("What is the capital of France?")], max_tokens=12)

    assert completion.text.strip()
    assert completion.prompt_tokens > 5 and 0 < completion.completion_tokens <= 12
    assert runner.usage.llm_calls == 1 and runner.usage.total_tokens == completion.prompt_tokens + completion.completion_tokens


@pytest.mark.slow
def test_real_server_json_schema_falls_back_and_yields_valid_json(llama_server):
    # server_kind left "generic": the runner must discover that json_schema is refused
    runner = _server_runner(llama_server)
    question = [user("Which city is the capital of France, and which country is it in?")]

    completion = runner.complete(question, max_tokens=48, constraint=JsonSchema(CITY_SCHEMA, "city"))

    value = json.loads(completion.text)
    assert set(value) >= {"city", "country"} and all(isinstance(value[k], str) for k in ("city", "country"))
    assert runner.json_mode == "json_object_schema"  # llama.cpp answered json_schema with HTTP 500


@pytest.mark.slow
def test_real_server_choice(llama_server):
    runner = _server_runner(llama_server, server_kind="llama.cpp")
    options = ("yes", "no")

    completion = runner.complete([user("Is Paris in France? Answer yes or no.")], max_tokens=4, constraint=Choice(options))

    assert completion.text in options


@pytest.mark.slow
def test_real_server_streams_text_and_usage(llama_server):
    runner = _server_runner(llama_server)

    pieces = list(runner.stream([user("Count from one to five.")], max_tokens=16))

    assert len(pieces) > 1 and "".join(pieces) == runner.last_stream.text
    assert runner.last_stream.prompt_tokens > 5 and 0 < runner.last_stream.completion_tokens <= 16
    assert runner.usage.llm_calls == 1


@pytest.mark.slow
def test_real_server_accepts_any_model_name(llama_server):
    """llama_cpp.server with one --model serves it under any name: no model_not_found error."""
    runner = OpenAIRunner("no-such-model-anywhere", base_url=llama_server.base_url, context_window=4096)

    completion = runner.complete([user("Say hi.")], max_tokens=4)

    assert completion.completion_tokens > 0


@pytest.mark.slow
def test_real_server_context_overflow_reports_the_servers_numbers(llama_server):
    runner = _server_runner(llama_server, context_window=100_000)  # our own check lets it through

    with pytest.raises(ContextWindowExceeded) as raised:
        runner.complete([user("lorem ipsum " * 3000)], max_tokens=16)

    assert raised.value.context_window == llama_server.n_ctx and raised.value.prompt_tokens > 4096


def test_server_down_is_reported_quickly_with_the_url():
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    runner = OpenAIRunner("smollm2", base_url=url, timeout=2, max_retries=1, retry_policy=RetryPolicy(1, 0.05))

    started = time.monotonic()
    with pytest.raises(RunnerError) as raised:
        runner.complete([user("hi")], max_tokens=4)

    assert time.monotonic() - started < 5
    assert url in str(raised.value) and "is it running" in str(raised.value)


def test_detect_server_kind_from_models_owner():
    import httpx2

    def route(request):
        if request.url.path.endswith("/models"):
            return httpx2.Response(200, json={"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "me"}]})
        return chat_reply("yes")

    server = ScriptedServer(route)
    runner, _ = make_runner(server)
    assert "grammar" not in runner.capabilities.constraints

    assert runner.detect_server_kind() == "llama.cpp"
    runner.complete([user("q")], constraint=Grammar('root ::= "yes"'))
    assert server.bodies()[-1]["grammar"] == 'root ::= "yes"'
