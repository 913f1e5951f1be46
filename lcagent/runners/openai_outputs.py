"""The OpenAI runner's structured outputs and streaming, kept apart from its plumbing (retries,
deadlines, errors) in ``openai_runner``: JSON under a schema on servers that can or cannot
enforce one, a choice among options, and streamed completions with usage."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from typing import Any, Iterator, Sequence

from lcagent.runners.base import (
    Completion,
    GenerationInterrupted,
    JsonSchema,
    Message,
    Request,
    RunnerError,
)
from lcagent.runners.http_retry import Deadline
from lcagent.runners.json_output import check_json, correction_instruction, schema_instruction
from lcagent.runners.openai_shapes import JSON_MODES, _add_usage, _match_option, _with_instruction, choice_schema, gbnf_choice


log = logging.getLogger(__name__)


class StreamTruncated(RunnerError):
    """The connection ended before the server said the answer was complete."""

    def __init__(self, message: str, partial_text: str):
        self.partial_text = partial_text
        super().__init__(message)


class _ModeRejected(Exception):
    def __init__(self, error: Exception):
        self.error = error


class StructuredOutputs:
    """Mixed into OpenAIRunner: it supplies ``_create``, ``_params``, ``_to_completion`` and state."""

    def _json_params(self, request: Request, messages: Sequence[Message], mode: str, schema: dict, name: str) -> Any:
        response_format: dict[str, Any] | None = None
        if mode == "json_schema":
            response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}
        elif mode == "json_object_schema":
            response_format = {"type": "json_object", "schema": schema}
        elif mode == "json_object":
            response_format = {"type": "json_object"}
        if mode != "json_schema":
            messages = _with_instruction(messages, schema_instruction(schema))
        return self._params(request, messages, response_format=response_format)

    def _complete_json(self, request: Request, schema: dict[str, Any], name: str, deadline: Deadline) -> Completion:
        modes = (self.json_mode,) if self.json_mode else JSON_MODES[self.server_kind]
        rejections: list[str] = []
        response, mode = None, ""
        for index, mode in enumerate(modes):
            params = self._json_params(request, request.messages, mode, schema, name)
            try:
                response = self._create(params, request, deadline, probing=index < len(modes) - 1)
            except _ModeRejected as rejected:
                rejections.append(f"{mode}: HTTP {getattr(rejected.error, 'status_code', '?')}")
                log.info("%s rejected JSON mode %s; trying the next", self.endpoint.base_url, mode)
                continue
            self.json_mode = mode
            break
        assert response is not None  # the last mode is not probing: it returns or raises
        first = self._to_completion(response, request.messages)
        checked = check_json(first.text, schema)
        if checked.ok:
            return replace(first, text=checked.text)
        # One more try with the problems spelled out: small models often fix their own JSON.
        retry_messages = _with_instruction(
            list(request.messages) + [Message("assistant", first.text)],
            correction_instruction(checked.problems, schema),
            as_new_user_message=True,
        )
        second = self._to_completion(
            self._create(self._json_params(request, retry_messages, mode, schema, name), request, deadline), retry_messages
        )
        rechecked = check_json(second.text, schema)
        total = _add_usage(second, first)
        if rechecked.ok:
            return replace(total, text=rechecked.text)
        raise RunnerError(
            f"model {self.model!r} at {self.endpoint.base_url} did not produce JSON matching the schema "
            f"{name!r} in 2 attempts (JSON mode {mode!r}{', after rejecting ' + '; '.join(rejections) if rejections else ''}): "
            f"{'; '.join(rechecked.problems[:3])}; reply began {rechecked.text[:120]!r}. "
            "Use a stronger model or a server that enforces schemas (vLLM, llama.cpp)"
        )

    def _complete_choice(self, request: Request, options: tuple[str, ...], deadline: Deadline) -> Completion:
        completion: Completion | None = None
        if self.server_kind in ("llama.cpp", "vllm"):
            body = (
                {"structured_outputs": {"choice": list(options)}}
                if self.server_kind == "vllm"
                else {"grammar": gbnf_choice(options)}
            )
            completion = self._to_completion(
                self._create(self._params(request, request.messages, extra_body=body), request, deadline), request.messages
            )
            picked = _match_option(completion.text, options)
            if picked is not None:
                return replace(completion, text=picked)
            log.info("%s ignored the choice constraint (%r); asking for JSON instead", self.endpoint.base_url, completion.text[:60])
        schema = choice_schema(options)
        answer = self._complete_json(replace(request, constraint=JsonSchema(schema, "choice")), schema, "choice", deadline)
        answer = replace(answer, text=json.loads(answer.text)["choice"])
        return _add_usage(answer, completion) if completion is not None else answer

    # --- streaming -----------------------------------------------------------------------
    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
    ) -> Iterator[str]:
        """Yield the answer's text as it is generated; afterwards ``last_stream`` holds the Completion.

        Usage is recorded on ``self.usage`` when the stream ends, breaks or is interrupted.
        Ctrl-C while waiting for the server raises GenerationInterrupted with the partial text.
        """
        request = Request(tuple(messages), max_tokens, temperature, tuple(stop))
        self.check_fits(request.messages, max_tokens)
        params = self._params(request, request.messages)
        params["stream"] = True
        params["stream_options"] = {"include_usage": True}
        started = time.perf_counter()
        self.last_stream = None
        chunks = self._create(params, request, Deadline(self.timeout, self.clock))
        pieces: list[str] = []
        usage: Any = None
        finish_reason: str | None = None
        model = self.model

        def finish(reason: str) -> Completion:
            text = "".join(pieces)
            if usage is not None and usage.prompt_tokens is not None:
                prompt_tokens, completion_tokens = usage.prompt_tokens, usage.completion_tokens or 0
            else:  # the server ignored include_usage: count ourselves
                prompt_tokens, completion_tokens = self.prompt_tokens(request.messages), self.count_tokens(text)
            completion = Completion(
                text, prompt_tokens, completion_tokens, time.perf_counter() - started, reason, (), model
            )
            self._record(completion)
            self.last_stream = completion
            return completion

        try:
            for chunk in chunks:
                model = getattr(chunk, "model", None) or model
                if getattr(chunk, "usage", None) is not None:
                    usage = chunk.usage
                for choice in chunk.choices or []:
                    delta = getattr(choice, "delta", None)
                    if delta is not None and delta.content:
                        pieces.append(delta.content)
                        yield delta.content
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
        except KeyboardInterrupt:
            chunks.close()
            raise GenerationInterrupted(finish("interrupted")) from None
        except GeneratorExit:  # the caller stopped reading: still account for what was spent
            chunks.close()
            finish("stop")
            raise
        except self._openai.APIError as error:
            chunks.close()
            partial = finish("error")
            raise StreamTruncated(
                f"the stream from {self.endpoint.base_url} broke after {len(partial.text)} characters "
                f"of the answer ({type(error).__name__}: {error}); the server may have crashed or "
                "dropped the connection: retry, or check its log",
                partial.text,
            ) from error
        if finish_reason is None:
            partial = finish("error")
            raise StreamTruncated(
                f"the stream from {self.endpoint.base_url} ended after {len(partial.text)} characters "
                "without the server marking the answer complete; the connection was probably cut: retry",
                partial.text,
            )
        finish(finish_reason)
