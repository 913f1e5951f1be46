"""The verbatim-copy constraint: at each decoding step, allow only tokens that keep the output
a contiguous substring of one of the sources (RecaLLM-style quoting that cannot misquote).

``VerbatimMatcher`` is backend-independent (ids and bytes in, ids out); ``LlamaVerbatimProcessor``
adapts it to llama-cpp-python's logits-processor hook. A vLLM adapter can wrap the same matcher.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Sequence

# A byte that can never occur in UTF-8 text, so no token can walk across the join of two
# sources: the automaton is built over "source1 SEP source2 SEP ...".
_SEPARATOR = 256
_DEAD = -1  # automaton state of an output that is already not a substring


class _SuffixAutomaton:
    """Recognises every substring of the joined sources; one state per equivalence class.

    Built in O(total bytes); ``transitions[state]`` maps a byte to the next state.
    """

    def __init__(self, sources: Sequence[bytes]):
        self.transitions: list[dict[int, int]] = [{}]
        self.link: list[int] = [-1]
        self.length: list[int] = [0]
        last = 0
        for index, source in enumerate(sources):
            if index:
                last = self._extend(last, _SEPARATOR)
            for byte in source:
                last = self._extend(last, byte)

    def _new_state(self, length: int, link: int, transitions: dict[int, int]) -> int:
        self.transitions.append(transitions)
        self.link.append(link)
        self.length.append(length)
        return len(self.length) - 1

    def _extend(self, last: int, symbol: int) -> int:
        transitions, link, length = self.transitions, self.link, self.length
        current = self._new_state(length[last] + 1, 0, {})
        state = last
        while state != -1 and symbol not in transitions[state]:
            transitions[state][symbol] = current
            state = link[state]
        if state == -1:
            return current
        target = transitions[state][symbol]
        if length[state] + 1 == length[target]:
            link[current] = target
            return current
        clone = self._new_state(length[state] + 1, link[target], dict(transitions[target]))
        while state != -1 and transitions[state].get(symbol) == target:
            transitions[state][symbol] = clone
            state = link[state]
        link[target] = clone
        link[current] = clone
        return current

    def walk(self, state: int, data: bytes) -> int:
        transitions = self.transitions
        for byte in data:
            if state == _DEAD:
                return _DEAD
            state = transitions[state].get(byte, _DEAD)
        return state


class _VocabularyTrie:
    """The tokenizer's vocabulary as a byte trie, so one walk finds every allowed token."""

    def __init__(self, token_bytes: Sequence[bytes]):
        self.children: list[dict[int, int]] = [{}]
        self.token_ids: list[list[int]] = [[]]  # several ids can share the same bytes
        for token_id, data in enumerate(token_bytes):
            if not data:  # special/control tokens decode to nothing: never copyable
                continue
            node = 0
            for byte in data:
                child = self.children[node].get(byte)
                if child is None:
                    child = len(self.children)
                    self.children[node][byte] = child
                    self.children.append({})
                    self.token_ids.append([])
                node = child
            self.token_ids[node].append(token_id)


# Building the trie for a 262k-token vocabulary takes seconds, and runners pass the same
# token_bytes object on every call, so keep the last few tries keyed by object identity
# (the cache holds the object itself, so its id cannot be reused while cached).
_TRIE_CACHE: "OrderedDict[int, tuple[Sequence[bytes], _VocabularyTrie]]" = OrderedDict()
_TRIE_CACHE_SIZE = 4
_CACHE_LOCK = threading.Lock()


def _vocabulary_trie(token_bytes: Sequence[bytes]) -> _VocabularyTrie:
    with _CACHE_LOCK:
        cached = _TRIE_CACHE.get(id(token_bytes))
        if cached is not None and cached[0] is token_bytes:
            _TRIE_CACHE.move_to_end(id(token_bytes))
            return cached[1]
    trie = _VocabularyTrie(token_bytes)
    with _CACHE_LOCK:
        _TRIE_CACHE[id(token_bytes)] = (token_bytes, trie)
        while len(_TRIE_CACHE) > _TRIE_CACHE_SIZE:
            _TRIE_CACHE.popitem(last=False)
    return trie


# Agents often quote from the same pages several times in a row; the automaton depends only on
# the sources, so the last few are kept (keyed by the sources' bytes).
_AUTOMATON_CACHE: "OrderedDict[tuple[bytes, ...], _SuffixAutomaton]" = OrderedDict()
_AUTOMATON_CACHE_SIZE = 4


def _automaton(sources: tuple[bytes, ...]) -> _SuffixAutomaton:
    with _CACHE_LOCK:
        cached = _AUTOMATON_CACHE.get(sources)
        if cached is not None:
            _AUTOMATON_CACHE.move_to_end(sources)
            return cached
    automaton = _SuffixAutomaton(sources)
    with _CACHE_LOCK:
        _AUTOMATON_CACHE[sources] = automaton
        while len(_AUTOMATON_CACHE) > _AUTOMATON_CACHE_SIZE:
            _AUTOMATON_CACHE.popitem(last=False)
    return automaton


class VerbatimMatcher:
    """Which tokens may come next so that the output stays a verbatim span of a source.

    ``sources``: the texts a quote may be copied from (matched on their UTF-8 bytes, so a
    token may end inside a multi-byte character as long as the bytes match).
    ``token_bytes[i]``: the exact bytes token ``i`` appends to the output; give ``b""`` for
    special/control tokens, which are then never allowed. Passing the same sequence object
    again reuses its vocabulary trie.
    ``eos_ids``: tokens that end the output; they are allowed once at least one token is out.

    ``allowed_tokens(generated)`` takes the ids generated so far (not the prompt) and keeps
    the automaton state from the previous call, so consecutive steps cost only the new
    token's bytes plus the walk over the allowed continuations. If ``generated`` is already
    not a substring (a token was forced from outside), only ``eos_ids`` are returned.

    Cost: building the automaton is linear in the sources' bytes (about 0.4 s per 100k bytes in
    CPython; the last few source sets are cached); a step is proportional to the number of vocabulary-trie nodes that are also
    substrings continuing the output, which is largest before the first token.
    """

    def __init__(self, sources: Sequence[str], token_bytes: Sequence[bytes], eos_ids: Sequence[int]):
        encoded = [source.encode("utf-8") for source in sources if source]
        if not encoded:
            raise ValueError("VerbatimMatcher needs at least one non-empty source to copy from")
        self._automaton = _automaton(tuple(encoded))
        self._trie = _vocabulary_trie(token_bytes)
        self._token_bytes = token_bytes
        self._eos_ids = list(dict.fromkeys(int(i) for i in eos_ids))
        self._eos_set = frozenset(self._eos_ids)
        # _states[k] is the automaton state after the first k generated tokens.
        self._generated: list[int] = []
        self._states: list[int] = [0]
        self._allowed_by_state: OrderedDict[int, list[int]] = OrderedDict()

    def allowed_tokens(self, generated: Sequence[int]) -> list[int]:
        state = self._state_after(generated)
        if state == _DEAD:
            return list(self._eos_ids)
        allowed = self._continuations(state)
        if generated:
            return allowed + self._eos_ids
        return list(allowed)

    def is_valid(self, text: str) -> bool:
        """True when ``text`` is a contiguous substring of one source (the empty string is)."""
        return self._automaton.walk(0, text.encode("utf-8")) != _DEAD

    # internals ----------------------------------------------------------------------
    def _state_after(self, generated: Sequence[int]) -> int:
        # Reuse the longest common prefix with the previous call: normally everything but
        # the newest token; after a rollback (beam search, retry) we walk back.
        known = self._generated
        common = 0
        limit = min(len(known), len(generated))
        while common < limit and known[common] == generated[common]:
            common += 1
        del known[common:]
        del self._states[common + 1 :]
        state = self._states[-1]
        for token_id in generated[common:]:
            token_id = int(token_id)
            if state != _DEAD:
                if token_id in self._eos_set or not 0 <= token_id < len(self._token_bytes):
                    state = _DEAD
                else:
                    data = self._token_bytes[token_id]
                    state = self._automaton.walk(state, data) if data else _DEAD
            known.append(token_id)
            self._states.append(state)
        return state

    def _continuations(self, state: int) -> list[int]:
        cached = self._allowed_by_state.get(state)
        if cached is not None:
            self._allowed_by_state.move_to_end(state)
            return cached
        transitions = self._automaton.transitions
        children = self._trie.children
        token_ids = self._trie.token_ids
        allowed: list[int] = []
        stack = [(state, 0)]
        while stack:
            automaton_state, node = stack.pop()
            allowed.extend(token_ids[node])
            outgoing = transitions[automaton_state]
            branches = children[node]
            # Iterate whichever side has fewer edges; the other is a dict lookup.
            if len(outgoing) < len(branches):
                for byte, next_state in outgoing.items():
                    child = branches.get(byte)
                    if child is not None:
                        stack.append((next_state, child))
            else:
                for byte, child in branches.items():
                    next_state = outgoing.get(byte)
                    if next_state is not None:
                        stack.append((next_state, child))
        allowed.sort()
        self._allowed_by_state[state] = allowed
        if len(self._allowed_by_state) > 64:
            self._allowed_by_state.popitem(last=False)
        return allowed


class LlamaVerbatimProcessor:
    """A llama-cpp-python ``LogitsProcessor``: every token the matcher forbids gets -inf.

    llama-cpp-python (0.3.x) hands processors its whole token buffer, stale entries included,
    so the generated ids are read as ``input_ids[prompt_length:llama.n_tokens]``: at sampling
    time ``n_tokens`` counts the prompt plus every token generated so far.
    """

    def __init__(self, matcher: VerbatimMatcher, llama: Any, prompt_length: int):
        self.matcher = matcher
        self._llama = llama
        self._prompt_length = prompt_length

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import numpy

        generated = input_ids[self._prompt_length : self._llama.n_tokens].tolist()
        allowed = self.matcher.allowed_tokens(generated)
        masked = numpy.full_like(scores, -numpy.inf)
        if allowed:
            index = numpy.fromiter(allowed, dtype=numpy.intp, count=len(allowed))
            index = index[index < len(scores)]
            masked[index] = scores[index]
        return masked
