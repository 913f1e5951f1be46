"""Run a model in-process on CUDA GPUs with vLLM: one batched call for many requests, prefix caching,
and decoding constrained by JSON schema, choice, grammar or verbatim copying.

The adapter is thin on purpose: everything that does not need vLLM itself (sampling arguments,
result mapping, token bytes) is a plain function here, tested on machines without a GPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

from lcagent.runners.base import (
    Capabilities,
    Choice,
    Completion,
    Constraint,
    Grammar,
    JsonSchema,
    Request,
    Runner,
    RunnerError,
    Verbatim,
)

# The key under SamplingParams.extra_args that switches the verbatim logits processor on.
VERBATIM_ARG = "lcagent_verbatim_sources"
VERBATIM_PROCESSOR = "lcagent.runners.vllm_verbatim:VerbatimLogitsProcessor"

# vLLM's finish reasons are already OpenAI's, except a request aborted by the engine.
_FINISH_REASONS = {"stop": "stop", "length": "length", "abort": "interrupted", None: "stop"}


# --- pure functions (no vLLM needed) ----------------------------------------------------


def structured_outputs_for(constraint: Constraint | None) -> dict[str, Any] | None:
    """Keyword arguments for ``vllm.sampling_params.StructuredOutputsParams``, or None.

    vLLM >= 0.12 only reads ``structured_outputs``; the older ``guided_*`` fields are
    silently ignored, which is why they never appear here.
    """
    if isinstance(constraint, JsonSchema):
        return {"json": constraint.schema}
    if isinstance(constraint, Choice):
        return {"choice": list(constraint.options)}
    if isinstance(constraint, Grammar):
        return {"grammar": constraint.gbnf}
    return None


def sampling_kwargs(request: Request) -> dict[str, Any]:
    """Keyword arguments for ``vllm.SamplingParams``; ``structured_outputs`` is still a dict."""
    kwargs: dict[str, Any] = {"max_tokens": request.max_tokens, "temperature": request.temperature}
    if request.stop:
        kwargs["stop"] = list(request.stop)
    structured = structured_outputs_for(request.constraint)
    if structured is not None:
        kwargs["structured_outputs"] = structured
    if isinstance(request.constraint, Verbatim):
        kwargs["extra_args"] = {VERBATIM_ARG: list(request.constraint.sources)}
    return kwargs


def chat_messages(request: Request) -> list[dict[str, Any]]:
    return [message.to_openai() for message in request.messages]


def to_completion(output: Any, model: str) -> Completion:
    """Map a ``vllm.RequestOutput`` (first sample only) to a Completion."""
    if not output.outputs:
        raise RunnerError(f"vLLM returned no output for a request to {model}")
    sample = output.outputs[0]
    finish = getattr(sample, "finish_reason", None)
    return Completion(
        text=sample.text,
        prompt_tokens=len(output.prompt_token_ids or ()),
        completion_tokens=len(sample.token_ids or ()),
        seconds=0.0,
        finish_reason=_FINISH_REASONS.get(finish, str(finish)),
        model=model,
    )


def with_seconds(completions: Sequence[Completion], seconds: float) -> list[Completion]:
    """Share one batched call's wall time among its requests, in proportion to generated tokens."""
    from dataclasses import replace

    generated = sum(c.completion_tokens for c in completions)
    if generated == 0:
        return [replace(c, seconds=seconds / len(completions)) for c in completions]
    return [replace(c, seconds=seconds * c.completion_tokens / generated) for c in completions]


def _byte_level_decoder() -> dict[str, int]:
    """GPT-2 byte-level BPE writes each byte as a printable character; this maps them back.

    Printable Latin-1 bytes stand for themselves; the other 68 bytes are shifted to U+0100
    onwards in byte order (so a space becomes 'Ġ' and a newline 'Ċ').
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    decoder = {chr(byte): byte for byte in printable}
    shifted = 0
    for byte in range(256):
        if byte not in printable:
            decoder[chr(256 + shifted)] = byte
            shifted += 1
    return decoder


_HEX_BYTE = "<0x"


def vocabulary_scheme(tokens: Sequence[str | None]) -> str:
    """'byte_level' (GPT-2 style), 'sentencepiece' or 'plain', judged from the token strings."""
    sample = [token for token in tokens if token]
    if any("\u2581" in token for token in sample):  # '▁' marks a space in SentencePiece
        return "sentencepiece"
    if any("Ġ" in token or "Ċ" in token for token in sample):
        return "byte_level"
    return "plain"


def token_bytes_from_vocab(tokens: Sequence[str | None], special_ids: Sequence[int] = ()) -> list[bytes]:
    """The bytes each token id decodes to, for VerbatimMatcher.

    Special tokens (and ids without a token) map to b"": they can never be part of a copied span.
    """
    scheme = vocabulary_scheme(tokens)
    special = set(special_ids)
    decoder = _byte_level_decoder() if scheme == "byte_level" else {}
    result: list[bytes] = []
    for token_id, token in enumerate(tokens):
        if token is None or token_id in special:
            result.append(b"")
        elif scheme == "sentencepiece" and token.startswith(_HEX_BYTE) and token.endswith(">") and len(token) == 6:
            result.append(bytes([int(token[3:5], 16)]))
        elif scheme == "sentencepiece":
            result.append(token.replace("\u2581", " ").encode("utf-8"))
        elif scheme == "byte_level" and all(char in decoder for char in token):
            result.append(bytes(decoder[char] for char in token))
        else:  # added tokens are stored as plain text even in byte-level vocabularies
            result.append(token.encode("utf-8"))
    return result


def token_bytes_for(tokenizer: Any) -> list[bytes]:
    """Token bytes for a Hugging Face tokenizer (what vLLM's ``llm.get_tokenizer()`` returns)."""
    size = len(tokenizer)
    tokens = tokenizer.convert_ids_to_tokens(list(range(size)))
    return token_bytes_from_vocab(tokens, getattr(tokenizer, "all_special_ids", ()))


def eos_ids_for(tokenizer: Any, hf_config: Any = None, generation_config: Any = None) -> list[int]:
    """Every id that ends generation: the tokenizer's EOS plus those the model configs list."""
    ids: list[int] = []
    for source in (getattr(tokenizer, "eos_token_id", None), getattr(hf_config, "eos_token_id", None),
                   getattr(generation_config, "eos_token_id", None)):  # fmt: skip
        for value in source if isinstance(source, (list, tuple)) else [source]:
            if isinstance(value, int) and value not in ids:
                ids.append(value)
    return ids


@dataclass(frozen=True)
class GpuCheck:
    ok: bool
    reason: str = ""


def check_vllm_available() -> GpuCheck:
    """Whether vLLM can run here, without importing it (importing vLLM takes seconds)."""
    import importlib.util

    if importlib.util.find_spec("vllm") is None:
        return GpuCheck(False, "vLLM is not installed: pip install 'lcagent[vllm]' (needs a CUDA GPU)")
    try:
        import torch
    except ImportError:
        return GpuCheck(False, "vLLM is installed but torch is missing; reinstall vllm")
    if not torch.cuda.is_available():
        return GpuCheck(
            False,
            "vLLM needs a CUDA GPU and none is visible (torch.cuda.is_available() is False); "
            "use --model local:... on CPU, or serve the model elsewhere and use --model openai:MODEL@URL",
        )
    return GpuCheck(True)


# --- the runner ------------------------------------------------------------------------------


class VLLMRunner(Runner):
    """A vLLM engine in this process. ``complete_many`` sends all requests as one batch.

    ``verbatim=True`` loads lcagent's logits processor so Verbatim constraints work; it uses
    vLLM's V1 logits-processor interface, so the V1 model runner is requested
    (``VLLM_USE_V2_MODEL_RUNNER=0``) unless the environment already chose.
    """

    name = "vllm"

    def __init__(
        self,
        model: str,
        tensor_parallel_size: int = 1,
        max_model_len: int | None = None,
        gpu_memory_utilization: float = 0.85,
        *,
        verbatim: bool = True,
        **engine_kwargs: Any,
    ) -> None:
        super().__init__()
        check = check_vllm_available()
        if not check.ok:
            raise RunnerError(check.reason)
        if verbatim:
            os.environ.setdefault("VLLM_USE_V2_MODEL_RUNNER", "0")
            engine_kwargs.setdefault("logits_processors", [VERBATIM_PROCESSOR])
        import vllm

        self._vllm = vllm
        self.model = model
        try:
            self.llm = vllm.LLM(
                model=model,
                tensor_parallel_size=tensor_parallel_size,
                max_model_len=max_model_len,
                gpu_memory_utilization=gpu_memory_utilization,
                enable_prefix_caching=True,
                **engine_kwargs,
            )
        except Exception as error:  # vLLM raises many kinds; all mean "this engine did not start"
            raise RunnerError(
                f"vLLM could not load {model!r} (tensor_parallel_size={tensor_parallel_size}, "
                f"max_model_len={max_model_len}, gpu_memory_utilization={gpu_memory_utilization}): "
                f"{type(error).__name__}: {error}"
            ) from error
        self.tokenizer = self.llm.get_tokenizer()
        self.context_window = max_model_len or int(self.llm.llm_engine.model_config.max_model_len)
        self.capabilities = Capabilities(
            constraints=frozenset({"json_schema", "choice", "grammar"}),
            verbatim=verbatim,
            native_tools=False,  # llm.chat returns raw text; tool-call parsing is the server's job
            streaming=False,
        )
        self.max_parallel = 1  # complete_many batches instead of using threads

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def _sampling_params(self, request: Request) -> Any:
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        kwargs = sampling_kwargs(request)
        if "structured_outputs" in kwargs:
            kwargs["structured_outputs"] = StructuredOutputsParams(**kwargs["structured_outputs"])
        return SamplingParams(**kwargs)

    def _complete(self, request: Request) -> Completion:
        return self._generate([request])[0]

    def complete_many(self, requests: Sequence[Request]) -> list[Completion]:
        """All requests in one ``llm.chat`` call, so vLLM schedules them together."""
        if not requests:
            return []
        for request in requests:
            self._check_supported(request)
        completions = self._generate(list(requests))
        for completion in completions:
            self._record(completion)
        return completions

    def _generate(self, requests: list[Request]) -> list[Completion]:
        import time

        for request in requests:
            self.check_fits(request.messages, request.max_tokens)
        started = time.perf_counter()
        outputs = self.llm.chat(
            [chat_messages(request) for request in requests],
            sampling_params=[self._sampling_params(request) for request in requests],
            use_tqdm=False,
        )
        completions = [to_completion(output, self.model) for output in outputs]
        return with_seconds(completions, time.perf_counter() - started)
