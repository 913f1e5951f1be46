"""Chains: follow any relation the document states between two named things, hop by hop.

A link is a sentence that names the current thing and one or two other rare named things
("VAR B = VAR A", "R2 takes whatever R1 holds", "the register R1 is loaded with 4821"): whatever
the verb, the two are linked. Following links from the question's start gives the connected
names (forward: who ends up holding the value) or the value at the chain's source (backward).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lcagent.agents import weights as W
from lcagent.agents.base import AgentContext, Progress
from lcagent.agents.reader import Reading, not_found
from lcagent.query import extract
from lcagent.query.plan import QuestionPlan
from lcagent.records import Citation
from lcagent.tools.text import sentences

MAX_HOPS = 12
MAX_THINGS_PER_LINK = 3  # a sentence naming more things is a list or prose, not a stated link
MAX_NODES = 40
LINK_REACH = 16  # characters between a node and a thing it is linked to, in a crowded sentence


@dataclass
class Chain:
    start: str
    order: list[str] = field(default_factory=list)  # things reached, in the order found
    hops: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    links: dict[str, Citation] = field(default_factory=dict)  # thing → the sentence that linked it


def follow_chain(plan: QuestionPlan, context: AgentContext) -> Reading | None:
    if not plan.subjects:
        return None
    chain = explore(plan.subjects[0], context)
    context.trace.note("chain", {"start": chain.start, "reached": chain.order, "hops": chain.hops})
    if not chain.order:
        return None  # the start links to nothing: let the evidence reader try
    if plan.direction == "backward":
        values = [t for t in chain.order if chain.kinds.get(t) == "number"]
        if not values:
            return None  # no chain of copies here: let the evidence reader look the value up
        value = min(values, key=lambda t: chain.hops[t])
        path = [chain.links[t] for t in chain.order if chain.hops[t] <= chain.hops[value]]
        return Reading(value, path, note=f"followed {chain.hops[value]} links back from {chain.start}", confidence=1.0)
    reached = [t for t in chain.order if chain.kinds.get(t) != "number"]
    if not reached:
        return not_found(f"nothing linked to {chain.start}")
    return Reading(", ".join(reached), [chain.links[t] for t in reached],
                   note=f"names linked to {chain.start} through {max(chain.hops.values())} hops", confidence=1.0)


def explore(start: str, context: AgentContext) -> Chain:
    chain = Chain(start)
    frontier, seen = [start], {start}
    for hop in range(1, MAX_HOPS + 1):
        fresh: list[str] = []
        for node in frontier:
            context.progress(Progress("follow", node, hop))
            for thing, kind, citation in _links(node, context):
                if thing in seen or any(_same(thing, s) for s in seen) or len(seen) >= MAX_NODES \
                        or not _rare(thing, context):
                    continue
                seen.add(thing)
                chain.order.append(thing)
                chain.hops[thing], chain.kinds[thing], chain.links[thing] = hop, kind, citation
                fresh.append(thing)
        if not fresh:
            break
        frontier = fresh
    return chain


def _links(node: str, context: AgentContext):
    """(thing, kind, citation) for each other named thing in a sentence that names ``node``."""
    result = context.use_tool("grep", {"pattern": node, "literal": True, "ignore_case": False})
    if not result.ok or not isinstance(result.data, list):
        return
    for hit in result.data:
        page = context.workspace.page(hit.doc_id, hit.page_index)
        line_start = sum(len(line) + 1 for line in page.text.split("\n")[: hit.line - 1])
        line_end = line_start + len(hit.text)
        for span in sentences(page.text):
            if span.end < line_start or span.start > line_end or node not in span.text:
                continue
            # plain lower-case compounds ("start-up") are words in prose, not things a chain links
            things = {k: v for k, v in extract.entities(span.text, limit=8).items()
                      if not _same(k, node) and not re.fullmatch(r"[a-z]+(?:-[a-z]+)+", k)}
            if _code_like(node):
                # a chain of codes and values links codes and values, not the words around them
                things = {k: v for k, v in things.items() if _code_like(k)}
            if len(things) > MAX_THINGS_PER_LINK - 1:
                # links run into other text with no full stop ("VAR B = VAR A On 23-24 August ..."):
                # each occurrence of the node links the nearest thing on each side of it
                groups = _beside(node, things, span.text)
            else:
                groups = [things]
            quote = " ".join(span.text.split())
            at = span.text.find(node)
            for group in groups:
                # a thing right after the node with nothing between is the text it was run into
                group = {k: v for k, v in group.items()
                         if not re.fullmatch(r"\s*", span.text[at + len(node): max(at + len(node), span.text.find(k))])
                         or span.text.find(k) < at}
                if not group or len(group) > MAX_THINGS_PER_LINK - 1:
                    continue
                for thing, kind in group.items():
                    # digits and separators ("23-24", "0-9") are a figure, never a holder
                    kind = "number" if re.fullmatch(r"[\d,.\-–/]+", thing) else kind
                    yield thing, kind, Citation(hit.doc_id, hit.page_index, hit.page_label, quote)


def _beside(node: str, things: dict[str, str], text: str) -> list[dict[str, str]]:
    """For each occurrence of ``node``, the nearest thing within reach before it and the nearest
    after it ("VAR B = VAR A On 23-24 August": B, and 23-24 at most)."""
    groups: list[dict[str, str]] = []
    for place in (m.start() for m in re.finditer(re.escape(node), text)):
        before, after = [], []
        for thing in things:
            for m in re.finditer(re.escape(thing), text):
                if m.end() <= place and place - m.end() <= LINK_REACH:
                    before.append((place - m.end(), thing))
                elif m.start() >= place + len(node) and m.start() - place - len(node) <= LINK_REACH:
                    after.append((m.start() - place - len(node), thing))
        group = {min(side)[1]: things[min(side)[1]] for side in (before, after) if side}
        if group:
            groups.append(group)
    return groups


def _same(a: str, b: str) -> bool:
    """One thing named twice: "VAR A" and "A", or "VAR A" run into the next word ("VAR A Information"):
    one is the other, or a whole-word run inside it."""
    return _words_within(a, b) or _words_within(b, a)


def _words_within(part: str, whole: str) -> bool:
    return re.search(rf"(?<!\S){re.escape(part)}(?!\S)", whole) is not None


def _code_like(thing: str) -> bool:
    """Has ``thing`` a word shaped like a code or a value: capitals ("QX", "VAR"), letters with
    digits ("R2", "QX1"), or a figure ("5150", "2,000")?"""
    return any(word.isupper() and len(word) >= 2
               or not word.isalpha() and re.fullmatch(r"[A-Z0-9_-]{2,}|[A-Za-z]+\d+|\d[\d,.]*", word)
               for word in thing.split())


def _rare(thing: str, context: AgentContext) -> bool:
    """Worth following: in few chunks (a common word like 'VAR' or 'Table' leads everywhere)."""
    found, total = context.workspace.document_frequency(thing, context.doc_ids)
    return 0 < found <= max(3, total * W.RARE_SHARE)
