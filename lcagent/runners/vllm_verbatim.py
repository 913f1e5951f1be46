"""The Verbatim constraint as a vLLM logits processor: only tokens that continue a copy may be sampled.

vLLM loads this module inside its engine process by name (``VERBATIM_PROCESSOR``), so it
imports vLLM at the top and must never be imported on machines without vLLM. The decision
of which tokens are allowed belongs to ``VerbatimMatcher``; this file only applies it.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from vllm.v1.sample.logits_processor import AdapterLogitsProcessor

from lcagent.runners.verbatim import VerbatimMatcher
from lcagent.runners.vllm_runner import VERBATIM_ARG, eos_ids_for, token_bytes_for


class _RowMask:
    """Per-request processor: (tokens generated so far, logits row) -> masked logits row."""

    def __init__(self, matcher: VerbatimMatcher):
        self.matcher = matcher

    def __call__(self, output_ids: Sequence[int], logits: torch.Tensor) -> torch.Tensor:
        vocab = logits.shape[-1]  # may exceed the tokenizer's size (padded embedding)
        allowed = [token for token in self.matcher.allowed_tokens(output_ids) if token < vocab]
        masked = torch.full_like(logits, float("-inf"))
        if allowed:
            index = torch.tensor(allowed, dtype=torch.long, device=logits.device)
            masked[index] = logits[index]
        return masked


class VerbatimLogitsProcessor(AdapterLogitsProcessor):
    """Applies a VerbatimMatcher to requests whose SamplingParams.extra_args name sources."""

    def __init__(self, vllm_config: Any, device: torch.device, is_pin_memory: bool):
        super().__init__(vllm_config, device, is_pin_memory)
        self._model_config = vllm_config.model_config
        self._token_bytes: list[bytes] | None = None
        self._eos_ids: list[int] = []

    @classmethod
    def validate_params(cls, params: Any) -> None:
        sources = (params.extra_args or {}).get(VERBATIM_ARG)
        if sources is not None and not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
            raise ValueError(f"extra_args[{VERBATIM_ARG!r}] must be a list of source strings")

    def is_argmax_invariant(self) -> bool:
        return False  # masking changes which token is most likely

    def _vocabulary(self) -> tuple[list[bytes], list[int]]:
        # Built on first use: the engine starts faster, and most runs never copy verbatim.
        if self._token_bytes is None:
            from transformers import AutoTokenizer

            config = self._model_config
            tokenizer = AutoTokenizer.from_pretrained(
                config.tokenizer,
                revision=getattr(config, "tokenizer_revision", None),
                trust_remote_code=getattr(config, "trust_remote_code", False),
            )
            self._token_bytes = token_bytes_for(tokenizer)
            self._eos_ids = eos_ids_for(tokenizer, getattr(config, "hf_config", None))
        return self._token_bytes, self._eos_ids

    def new_req_logits_processor(self, params: Any) -> _RowMask | None:
        sources = (params.extra_args or {}).get(VERBATIM_ARG)
        if not sources:
            return None
        token_bytes, eos_ids = self._vocabulary()
        # One matcher per request: a matcher remembers its request's progress between steps.
        # The costly parts (source automaton, vocabulary trie) are cached inside verbatim.py,
        # keyed by the same token_bytes object passed here every time.
        return _RowMask(VerbatimMatcher(tuple(sources), token_bytes, eos_ids))
