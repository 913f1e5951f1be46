"""The wording suite: each RULER task asked in people's words, its facts written in other
sentence templates, over other haystacks. Answers and scoring stay RULER's.

``generate_wording("niah_multiquery", "32k", n=4)`` returns four fitted, seeded Samples whose
``wording``, ``needle_template`` and ``haystack`` fields say which variant each one uses.
"""

from __future__ import annotations

import random
import re
import warnings
from dataclasses import replace

from lcagent.bench.reference import task_templates
from lcagent.bench.ruler import FIT_TOLERANCE, TASKS, family_of
from lcagent.bench.ruler.niah import NiahConfig
from lcagent.bench.ruler.wording_contexts import (
    Variant, Where, build_common_words, build_freq_words, build_niah, build_qa, build_vt,
)
from lcagent.bench.ruler.wording_tables import CHAIN_STYLES, NEEDLE_TEMPLATES, WORDINGS, Wording
from lcagent.bench.ruler.wording_tables_second import WORDINGS_SECOND
from lcagent.bench.ruler.wording_tables_fifth import WORDINGS_FIFTH
from lcagent.bench.ruler.wording_tables_fourth import WORDINGS_FOURTH
from lcagent.bench.ruler.wording_tables_third import WORDINGS_THIRD
from lcagent.bench.sample import Sample, parse_length

# What each family is asked over: prose haystacks, or the form of its word list or documents.
PROSE_HAYSTACKS = ("essays", "manual", "encyclopedia")
LIST_FORMS = ("ruler", "numbered_lines", "comma")
DOCUMENT_FORMS = ("ruler", "plain", "markdown")
BUILDERS = {
    "niah": build_niah,
    "variable_tracking": build_vt,
    "common_words_extraction": build_common_words,
    "freq_words_extraction": build_freq_words,
    "qa": build_qa,
}


# "first": the table the rules were measured and then tuned against; "second" to "fourth": written
# later, each measured untouched and then tuned on (2026-12-08); "fifth": held out from tuning
# (measure with it, do not fix rules after its misses)
WORDING_SETS = {"first": WORDINGS, "second": WORDINGS_SECOND, "third": WORDINGS_THIRD, "fourth": WORDINGS_FOURTH,
                "fifth": WORDINGS_FIFTH}


def wordings(task: str, wording_set: str = "first") -> tuple[Wording, ...]:
    if wording_set not in WORDING_SETS:
        raise ValueError(f"no wording set {wording_set!r}; choose from {', '.join(WORDING_SETS)}")
    table = WORDING_SETS[wording_set]
    if task not in table:
        raise ValueError(f"no wordings for {task!r}; choose from {', '.join(table)}")
    return table[task]


def templates(task: str) -> tuple[str, ...]:
    """Needle templates (NIAH) or chain styles (vt); ``("",)`` where nothing is planted."""
    family = family_of(task)
    if family == "niah":
        return tuple(template.id for template in NEEDLE_TEMPLATES)
    if family == "variable_tracking":
        return tuple(style.id for style in CHAIN_STYLES)
    return ("",)


def haystacks(task: str) -> tuple[str, ...]:
    family = family_of(task)
    if family in ("niah", "variable_tracking"):
        return PROSE_HAYSTACKS
    return DOCUMENT_FORMS if family == "qa" else LIST_FORMS


def choose_variant(task: str, index: int, seed: int = 42, wording_set: str = "first") -> Variant:
    """Sample ``index``'s wording, template and haystack. Each cycles through its own seeded
    order, so ``n`` samples cover ``min(n, 9)`` wordings and the three vary independently.
    The length plays no part: a sample index is asked the same way at every length."""
    chosen = []
    prefix = "lcagent-wording" if wording_set == "first" else f"lcagent-wording-{wording_set}"
    for name, options in (("wording", wordings(task, wording_set)), ("template", templates(task)),
                          ("haystack", haystacks(task))):
        order = list(options)
        random.Random(f"{prefix}|{seed}|{task}|{name}").shuffle(order)
        chosen.append(order[index % len(order)])
    return Variant(*chosen)


def _override(task: str, variant: Variant, wording: str | None, template: str | None,
              haystack: str | None, wording_set: str) -> Variant:
    if wording is not None:
        table = {entry.id: entry for entry in wordings(task, wording_set)}
        if wording not in table:
            raise ValueError(f"{task} has no wording {wording!r}; choose from {', '.join(table)}")
        variant = replace(variant, wording=table[wording])
    for field, value, options in (("template", template, templates(task)),
                                  ("haystack", haystack, haystacks(task))):
        if value is not None:
            if value not in options:
                raise ValueError(f"{task} has no {field} {value!r}; choose from {', '.join(options)}")
            variant = replace(variant, **{field: value})
    return variant


def generate_wording_one(task: str, length: int | str, index: int, seed: int = 42, *,
                         wording: str | None = None, template: str | None = None,
                         haystack: str | None = None, wording_set: str = "first") -> Sample:
    """Sample ``index`` of ``task`` in the wording suite; the same arguments give the same
    sample. Name a wording, template or haystack to override the seeded choice; ``wording_set``
    picks the table ("first" to "fourth", or "fifth": the held-out one)."""
    if task not in TASKS:
        raise ValueError(f"unknown RULER task {task!r}; choose from {', '.join(TASKS)}")
    tokens = parse_length(length)
    variant = _override(task, choose_variant(task, index, seed, wording_set), wording, template, haystack,
                        wording_set)
    family = family_of(task)
    tokens_to_generate = task_templates()[family].tokens_to_generate
    built = BUILDERS[family](TASKS[task], variant, Where(seed, task, tokens, index, tokens_to_generate))
    if built.tokens < tokens * (1 - FIT_TOLERANCE):
        warnings.warn(f"{task} wording sample {index} ({variant.haystack}) reached {built.tokens} of the "
                      f"{tokens} tokens asked: its source data runs out before that length", stacklevel=2)
    return Sample(
        task=task, length=tokens, index=index, seed=seed, context=built.context,
        question=built.parts.question, answers=built.answers, metric=built.metric,
        tokens=built.tokens, tokens_to_generate=tokens_to_generate,
        prompt_prefix=built.parts.prefix, prompt_suffix=built.parts.suffix,
        answer_prefix=built.parts.answer_prefix, needles=built.needles,
        wording=variant.wording.id, needle_template=variant.template, haystack=variant.haystack,
    )


def generate_wording(task: str, length: int | str, n: int, seed: int = 42, start: int = 0,
                     wording_set: str = "first") -> list[Sample]:
    """``n`` wording-suite samples of ``task`` (a RULER task name) fitted to ``length`` tokens, from ``start``."""
    if n < 0 or start < 0:
        raise ValueError(f"n and start must be zero or more, got n={n}, start={start}")
    return [generate_wording_one(task, length, index, seed, wording_set=wording_set)
            for index in range(start, start + n)]


# Closed-class words: what is left once they go is what a wording says. Kept apart from the
# agent's own stopwords on purpose, so the check does not lean on the rules under test.
FUNCTION_WORDS = frozenset("""
a an the this that these those it its i i'm me my you your we our they them their he she his her
what what's which who whom whose where when why how whatever whichever is are was were be been
being am do does did done have has had will would could can may might must shall should not no
and or but if then so nor of in on at to for from by with without within into onto about as
than all every each some any more most other others one ones many several only also just there
there's here
""".split())
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _stem(word: str) -> str:
    # Crude on purpose: it may merge unrelated words, which only makes the check stricter.
    for suffix in ("ingly", "edly", "ing", "ed", "ly", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Stems of ``text``'s words that are not closed-class (function) words."""
    return {_stem(word) for word in _WORD.findall(text.lower()) if word not in FUNCTION_WORDS}


def ruler_template_words(task: str) -> set[str]:
    """Content words of RULER's whole prompt for ``task`` (instructions, question and answer
    prefix), keys and values left out; singular and plural wordings both count."""
    template = task_templates()[family_of(task)]
    text = template.template.replace("{context}", " ") + " " + template.answer_prefix
    config = TASKS[task]
    kinds = [config.value_type, config.value_type[:-1]] if isinstance(config, NiahConfig) else [""]
    return set().union(*(content_words(text.format(type_needle_v=kind, query="", num_v=""))
                         for kind in kinds))


def shared_with_ruler(task: str, wording: Wording) -> set[str]:
    """Content words a wording (keys, values, k and the QA question left out) shares with RULER's."""
    blank = wording.text.format(key="", keys="", value="", k="", k_words="", question="")
    return content_words(blank) & ruler_template_words(task)


__all__ = [
    "Variant", "choose_variant", "content_words", "generate_wording", "generate_wording_one",
    "haystacks", "ruler_template_words", "shared_with_ruler", "templates", "wordings",
]
