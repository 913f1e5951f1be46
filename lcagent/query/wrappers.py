"""What wraps a question rather than asks it: prefaces ("Quick question:", "Could you tell me"),
instructions after it ("Answer from the cash flow statement."), a source named inside it, and a
topic put before a colon ("Castellan Holdings: who is the auditor?")."""

from __future__ import annotations

import re

from lcagent.query.rules import PREFACE, TRUTH_PREFACE
from lcagent.query.subjects import subjects_of

_CONTRACTIONS = {"what's": "what is", "who's": "who is", "where's": "where is", "when's": "when is", "how's": "how is",
                 "i'm": "I am", "it's": "it is", "that's": "that is", "there's": "there is", "which's": "which is"}
_CONTRACTION = re.compile(r"(?i)\b(?:what|who|where|when|how|i|it|that|there|which)['’](?:s|m)\b")


def normalise(question: str) -> tuple[str, bool]:
    """The question without wrappers ("Quick question:", "Could you tell me ..."), whitespace
    collapsed; and whether a truth wrapper ("Is it true that ...") made it a yes/no question."""
    text = _CONTRACTION.sub(lambda m: _CONTRACTIONS[m.group(0).lower().replace("’", "'")], " ".join(question.split()))
    truth = False
    for _ in range(4):
        lowered = text.lower()
        match = re.match(PREFACE.pattern, lowered)
        truth_match = re.match(TRUTH_PREFACE.pattern, lowered)
        if truth_match:
            text, truth = text[truth_match.end():], True
        elif match and match.end() < len(text) - 3 and not _names_a_topic(text[: match.end()], text[match.end():]):
            text = text[match.end():]
        else:
            break
    return text.strip(), truth


def _names_a_topic(preface: str, rest: str) -> bool:
    """"Castellan Holdings: who ...", "Most frequent entry: which is it?": what stands before the
    colon is the question's topic, not a preface."""
    if not preface.rstrip().endswith(":"):
        return False
    return bool(subjects_of(preface.rstrip(" :")) or _PRONOUN_QUESTION.fullmatch(rest.strip().rstrip(" ?.!")))


_PRONOUN_QUESTION = re.compile(r"(?i)(?:which|what) (?:is|are|was|were) (?:it|they|that|those|this|these)")


_TOPIC_FIRST = re.compile(r"^([^:?]{2,80}?):\s+((?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|"
                          r"did|has|have|had|can)\b.*)$", re.I)
_EACH = re.compile(r"(?i)\b(?:each(?: one| of them)?|every one(?: of them)?|all of them|both(?: of them)?)\b")


def topic_first(text: str) -> str:
    """"Castellan Holdings: who is the auditor?", "Paris or Berlin: where was it signed?", "A, B, C:
    when was each one renamed?": the question with its topic put where the question's grammar
    wants it (options last, a list in place of "each", a lone subject in an aside); a topic that
    names nothing is a preface ("One more thing: who ...")."""
    match = _TOPIC_FIRST.match(text)
    if not match:
        return text
    topic, body = match.group(1).strip(), match.group(2).strip().rstrip(" ?.!")
    if _PRONOUN_QUESTION.fullmatch(body):
        return f"{body.rsplit(' ', 1)[0]} the {topic}?"  # "Most frequent list entry: which is it?"
    rest = topic
    for subject in subjects_of(topic):
        rest = rest.replace(subject, " ")
    if re.sub(r"(?i)\b(?:or|and|the)\b|[,&\s]", "", rest):
        return text  # "Track 7741: which variables ...": an instruction, then the question
    items = [item for item in re.split(r"\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", topic) if item]
    if len(items) >= 2 and all(item[:1].isupper() or re.search(r"[\d_-]", item) for item in items):
        listed = ", ".join(items[:-1])
        each = _EACH.search(body)
        if each:
            return f"{body[:each.start()]}{listed} and {items[-1]}{body[each.end():]}?"
        if re.match(r"(?i)(?:which|who|whom|where|when|what)\b", body):
            body = re.sub(r"(?i)\s+(?:one\s+)?of (?:them|these|those|the two|the three)\b", "", body)
            return f"{body}, {listed} or {items[-1]}?"
    return f"{body} ({topic})?"


_INSTRUCTION = re.compile(
    r"^(?:give|answer|provide|respond|use|base|rely|please|round|express|show|report|state|if|note|assume|quote|cite|"
    r"consider|ignore|only|do not|don't|keep|include|exclude|focus|look|refer|according|in your answer)\b", re.I)


# "according to the consolidated balance sheet", "using only the cash flow statement": where to look
_SOURCE = re.compile(
    r",?\s*\b(?:according to|based on|using only|using|as shown in|as reported in|as stated in|per|from|in)\s+"
    r"(?:the\s+|its\s+|their\s+|[A-Z][\w&.-]*['’]s\s+)?((?:consolidated\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:statements?|sheets?|tables?|schedules?|notes? to the financial statements))\b(?:\s+only)?,?", re.I)


_GREETING = re.compile(r"^\s*(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)"
                       r"(?: (?i:there|all|team|everyone|folks)| [A-Z][a-z]+)?\s*[,!.]?(?=\s)\s*")
_SIGN_OFF = re.compile(r"(?:^|[\n.!?]\s*|\s)(?:many thanks|thanks|thank you|thx|cheers|best|regards|kind regards|best regards)"
                       r"(?: (?:so much|a lot|in advance|again))?[,.!]*(?:\s*\n[^\n]{1,40})?\s*$", re.I)


def unshout(question: str) -> str:
    """"BOSS IS WAITING ON THE amber-fox NUMBER": a question written in capitals has its all-capital
    words lower-cased (codes with digits, dashes or underscores keep their case)."""
    letters = [c for c in question if c.isalpha()]
    if len(letters) < 12 or sum(c.isupper() for c in letters) < 0.6 * len(letters):
        return question
    return re.sub(r"\b[A-Z][A-Z'’]+\b(?![-_\d])", lambda m: m.group(0).lower(), question)


# a label before a colon that says what kind of message follows ("Support ticket:", "Context:")
_LABEL = re.compile(r"^\s*(?:[A-Za-z]+ ){0,2}(?i:ticket|context|note|request|task|background|update|fyi|re|subject|issue)\s*:\s*")


def strip_letter(question: str) -> str:
    """A message's greeting and sign-off ("Hi there,", "Thanks in advance,\nSam") are no part of
    what it asks."""
    text = _LABEL.sub("", _GREETING.sub("", unshout(question), count=1), count=1)
    signed = _SIGN_OFF.search(text)
    if signed and signed.start() > 0:
        text = text[: signed.start() + 1].rstrip() if text[signed.start()] in ".!?" else text[: signed.start()].rstrip()
    return text or question


def split_instructions(question: str) -> tuple[str, tuple[str, ...]]:
    """The question, and what says where to look or how to answer: the instruction sentences that
    follow it ("Answer from the cash flow statement.", "Round to two decimals.") and a source named
    inside it ("According to the consolidated balance sheet, ...")."""
    text, hints = _instructions(" ".join(strip_letter(question).split()))
    sources = []
    for match in list(_SOURCE.finditer(text))[::-1]:
        sources.append(match.group(1))
        text = (text[: match.start()] + " " + text[match.end():]).strip()
    text = " ".join(text.split()).replace(" ,", ",").replace(" ?", "?")
    if re.match(r"[a-z]+\b(?![-_\d'’])", text):  # not "amber-fox, what ...": a key keeps its case
        text = text[0].upper() + text[1:]
    return text, tuple(sources[::-1]) + hints


def _instructions(text: str) -> tuple[str, tuple[str, ...]]:
    end = text.find("?")
    if end < 0 or end == len(text) - 1:
        return text, ()
    rest = [s.strip() for s in re.split(r"(?<=[.!?)])\s+", text[end + 1:]) if s.strip()]
    # a parenthesised aside is an instruction when its words are one: "(Cite the page if you can.)"
    bare = [re.sub(r"^\((.*)\)[.!]?$", r"\1", sentence).strip() for sentence in rest]
    if bare and all(_INSTRUCTION.match(sentence) or (sentence != original and _ASIDE.match(sentence))
                    for sentence, original in zip(bare, rest)):
        return text[: end + 1], tuple(bare)
    return text, ()


# what a parenthesised aside after the question may say about the answer: its form or its source
_ASIDE = re.compile(r"^(?:quote|cite|with|in|one|two|three|a|an|just|short|brief|briefly|if|no|numbers?|yes|answer)\b", re.I)
