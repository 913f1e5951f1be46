"""VLLMRunner: the pure parts run everywhere; the engine itself only where vLLM and a GPU exist."""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
from types import SimpleNamespace

import pytest

from lcagent.runners.base import (
    Capabilities,
    Choice,
    Completion,
    ContextWindowExceeded,
    Grammar,
    JsonSchema,
    Request,
    Runner,
    RunnerError,
    Verbatim,
    system,
    user,
)
from lcagent.runners.vllm_runner import (
    VERBATIM_ARG,
    VLLMRunner,
    _byte_level_decoder,
    chat_messages,
    check_vllm_available,
    eos_ids_for,
    sampling_kwargs,
    structured_outputs_for,
    to_completion,
    token_bytes_for,
    token_bytes_from_vocab,
    vocabulary_scheme,
    with_seconds,
)
from .llama_server import smollm2_gguf

SCHEMA = {"type": "object", "properties": {"page": {"type": "integer"}}, "required": ["page"]}


# --- sampling arguments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (None, None),
        (JsonSchema(SCHEMA), {"json": SCHEMA}),
        (Choice(("yes", "no")), {"choice": ["yes", "no"]}),
        (Grammar('root ::= "a"'), {"grammar": 'root ::= "a"'}),
        (Verbatim(("some source",)), None),
    ],
)
def test_structured_outputs_use_the_current_api_names(constraint, expected):
    assert structured_outputs_for(constraint) == expected


def test_sampling_kwargs_never_use_removed_guided_fields():
    request = Request((user("q"),), max_tokens=32, temperature=0.2, stop=("\n\n",), constraint=JsonSchema(SCHEMA))

    kwargs = sampling_kwargs(request)

    assert kwargs == {"max_tokens": 32, "temperature": 0.2, "stop": ["\n\n"], "structured_outputs": {"json": SCHEMA}}
    assert not any(key.startswith("guided") for key in kwargs)


def test_verbatim_constraint_travels_in_extra_args():
    request = Request((user("quote it"),), constraint=Verbatim(("page one text", "page two text")))

    kwargs = sampling_kwargs(request)

    assert kwargs["extra_args"] == {VERBATIM_ARG: ["page one text", "page two text"]}
    assert "structured_outputs" not in kwargs


def test_chat_messages_are_openai_dicts():
    request = Request((system("be brief"), user("hi")))
    assert chat_messages(request) == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]


# --- results -----------------------------------------------------------------------------------


def _output(text: str, prompt_ids=(1, 2, 3), token_ids=(7, 8), finish_reason="stop"):
    sample = SimpleNamespace(text=text, token_ids=list(token_ids), finish_reason=finish_reason)
    return SimpleNamespace(prompt_token_ids=list(prompt_ids), outputs=[sample])


def test_to_completion_counts_tokens_from_ids():
    completion = to_completion(_output("hello", finish_reason="length"), "m")
    assert (completion.text, completion.prompt_tokens, completion.completion_tokens) == ("hello", 3, 2)
    assert completion.finish_reason == "length" and completion.model == "m"


def test_aborted_request_maps_to_interrupted():
    assert to_completion(_output("x", finish_reason="abort"), "m").finish_reason == "interrupted"


def test_empty_output_is_a_runner_error():
    with pytest.raises(RunnerError, match="no output"):
        to_completion(SimpleNamespace(prompt_token_ids=[1], outputs=[]), "m")


def test_batch_time_is_shared_by_generated_tokens():
    completions = [Completion("a", 1, 1, 0.0), Completion("b", 1, 3, 0.0)]
    assert [c.seconds for c in with_seconds(completions, 2.0)] == [0.5, 1.5]


# --- token bytes ---------------------------------------------------------------------------------


def test_byte_level_decoder_covers_every_byte_once():
    decoder = _byte_level_decoder()
    assert sorted(decoder.values()) == list(range(256))
    assert decoder["Ġ"] == ord(" ") and decoder["Ċ"] == ord("\n") and decoder["A"] == ord("A")


def test_byte_level_tokens_decode_to_bytes():
    tokens = ["<|endoftext|>", "Ġhello", "Ċ", "Ã©", "<|im_start|>"]
    assert vocabulary_scheme(tokens) == "byte_level"
    assert token_bytes_from_vocab(tokens, special_ids=[0, 4]) == [b"", b" hello", b"\n", "é".encode(), b""]


def test_sentencepiece_tokens_decode_to_bytes():
    tokens = ["<unk>", "<s>", "</s>", "<0x0A>", "▁the", "ing", "<0xE2>"]
    assert vocabulary_scheme(tokens) == "sentencepiece"
    assert token_bytes_from_vocab(tokens, special_ids=[0, 1, 2]) == [b"", b"", b"", b"\n", b" the", b"ing", b"\xe2"]


def test_token_bytes_for_uses_the_tokenizer_interface():
    class FakeTokenizer:
        all_special_ids = [0]
        eos_token_id = 0

        def __len__(self):
            return 3

        def convert_ids_to_tokens(self, ids):
            return ["<|endoftext|>", "Ġcat", "s"][: len(ids)]

    assert token_bytes_for(FakeTokenizer()) == [b"", b" cat", b"s"]
    assert eos_ids_for(FakeTokenizer(), SimpleNamespace(eos_token_id=[0, 5])) == [0, 5]


def test_token_bytes_match_llama_cpp_on_a_real_vocabulary():
    """Every one of SmolLM2's 49,152 tokens decodes to the bytes llama.cpp itself produces."""
    model = smollm2_gguf()
    if importlib.util.find_spec("llama_cpp") is None or model is None:
        pytest.skip("needs llama-cpp-python and the bundled SmolLM2 model")
    import llama_cpp

    llama = llama_cpp.Llama(str(model), vocab_only=True, verbose=False)
    vocab = llama_cpp.llama_model_get_vocab(llama.model)
    size = llama.n_vocab()
    tokens = [llama_cpp.llama_vocab_get_text(vocab, i).decode("utf-8") for i in range(size)]
    control = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL
    special = [i for i in range(size) if llama_cpp.llama_vocab_get_attr(vocab, i) & control]
    buffer = ctypes.create_string_buffer(512)

    def piece(token_id: int) -> bytes:
        # Llama.detokenize truncates pieces longer than 32 bytes, so ask llama.cpp directly.
        length = llama_cpp.llama_token_to_piece(vocab, token_id, buffer, len(buffer), 0, False)
        return buffer.raw[:length]

    ours = token_bytes_from_vocab(tokens, special)

    mismatches = [i for i in range(size) if ours[i] != piece(i)]
    assert special and mismatches == []


# --- the runner without an engine ----------------------------------------------------------------


def test_constructor_explains_what_is_missing():
    check = check_vllm_available()
    if check.ok:
        pytest.skip("vLLM and a GPU are present")
    with pytest.raises(RunnerError) as raised:
        VLLMRunner("Qwen/Qwen2.5-0.5B-Instruct")
    assert "vLLM" in str(raised.value) and ("pip install" in str(raised.value) or "GPU" in str(raised.value))


class _FakeLLM:
    """Stands in for vllm.LLM: records each chat call and echoes the last user message."""

    def __init__(self):
        self.calls: list[tuple[list, list]] = []

    def chat(self, conversations, sampling_params, use_tqdm):
        self.calls.append((conversations, sampling_params))
        return [_output(conversation[-1]["content"].upper()) for conversation in conversations]


def _engine_free_runner(context_window: int = 1000) -> VLLMRunner:
    runner = VLLMRunner.__new__(VLLMRunner)
    Runner.__init__(runner)
    runner.model, runner.context_window, runner.llm = "fake", context_window, _FakeLLM()
    runner.capabilities = Capabilities(frozenset({"json_schema", "choice", "grammar"}), verbatim=True)
    runner.count_tokens = lambda text: len(text.split())  # type: ignore[method-assign]
    runner._sampling_params = sampling_kwargs  # type: ignore[method-assign]
    return runner


def test_complete_many_sends_one_batched_chat_call():
    runner = _engine_free_runner()
    requests = [Request((user(word),), constraint=Choice(("A", "B"))) for word in ("a", "b", "c")]

    completions = runner.complete_many(requests)

    assert [c.text for c in completions] == ["A", "B", "C"]
    assert len(runner.llm.calls) == 1
    conversations, params = runner.llm.calls[0]
    assert len(conversations) == 3 and params[0]["structured_outputs"] == {"choice": ["A", "B"]}
    assert runner.usage.llm_calls == 3 and runner.usage.prompt_tokens == 9


def test_batch_checks_every_prompt_fits_before_generating():
    runner = _engine_free_runner(context_window=50)
    requests = [Request((user("short"),), max_tokens=10), Request((user("word " * 60),), max_tokens=10)]

    with pytest.raises(ContextWindowExceeded):
        runner.complete_many(requests)
    assert runner.llm.calls == []


# --- on a GPU --------------------------------------------------------------------------------------

needs_gpu = pytest.mark.skipif(not check_vllm_available().ok, reason="needs vllm and a CUDA GPU")
GPU_MODEL = os.environ.get("LCAGENT_VLLM_TEST_MODEL", "Qwen/Qwen2.5-0.5B-Instruct")


@pytest.fixture(scope="module")
def vllm_runner():
    return VLLMRunner(GPU_MODEL, max_model_len=4096, gpu_memory_utilization=0.5)


@pytest.mark.gpu
@needs_gpu
def test_gpu_json_schema_and_choice_and_batch(vllm_runner):
    answers = vllm_runner.complete_many(
        [
            Request((user("Give page 12 as JSON."),), max_tokens=40, constraint=JsonSchema(SCHEMA)),
            Request((user("Is Paris in France? yes or no"),), max_tokens=5, constraint=Choice(("yes", "no"))),
        ]
    )
    assert isinstance(json.loads(answers[0].text)["page"], int)
    assert answers[1].text in ("yes", "no")
    assert vllm_runner.usage.llm_calls == 2 and answers[0].prompt_tokens > 0


@pytest.mark.gpu
@needs_gpu
def test_gpu_verbatim_copies_a_span(vllm_runner):
    source = "The quick brown fox jumps over the lazy dog."
    completion = vllm_runner.complete(
        [user(f"Quote the part about the fox from: {source}")], max_tokens=20, constraint=Verbatim((source,))
    )
    assert completion.text and completion.text in source
