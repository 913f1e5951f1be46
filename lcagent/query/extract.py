"""The one extractor of terms and entities, for questions and for document text alike.

Quoted phrases, identifiers (``long-context``, ``R2``, uuids), numbers, periods (``2018``,
``FY2019``, ``Q3 2023``), capitalised names, and content words. Grammar-level only: no rule
here knows any benchmark's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lcagent.query.lexicon import (MONTHS, NAME_PARTICLES, NATIONALITIES, NOT_PERSON_WORDS, ORGANIZATION_ENDINGS,
                                   PLACE_WORDS, QUESTION_WORDS, STOPWORDS, UNIT_CODES, VALUE_NOUNS)

_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r"\"([^\"]{2,})\"|“([^”]{2,})”|(?<![\w])'([^']{2,}?)'(?![\w])|‘([^’]{2,})’|`([^`]{2,})`")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# hyphenated or underscored words ("long-context", "max_len"), uuids, and words mixing letters
# and digits ("R2", "3M", "x86"); periods such as FY2019 are qualifiers, not identifiers.
_IDENTIFIER = re.compile(
    rf"\b{_UUID}\b|(?<![\w/])(?:/[\w.-]+){{2,}}"                           # paths: /var/lib/pgdata
    rf"|\b[\w-]*[_\d][\w-]*\.[A-Za-z][A-Za-z0-9]{{1,4}}\b"                 # file names: report_v1.docx
    rf"|\b[A-Za-z]\w*(?:\.[a-z]\w*)+\.(?:toml|ya?ml|json|ini|cfg|conf|xml|csv|xlsx?|docx?|pdf|txt|log|py|md)\b"
    rf"|(?<!['’])\b\w+(?:[-_]\w+)+\b|\b(?=\w*\d)(?=\w*[A-Za-z])\w+\b", re.I
)
_NUMBER = re.compile(r"(?<![\w.])[-+]?\$?\d(?:[\d,]*\d)?(?:\.\d+)?%?(?![\w])")
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_PERIOD = re.compile(
    rf"\b(?:FY|CY)\s?'?\d{{2,4}}\b"                                # FY2019, FY 19
    rf"|\bQ[1-4](?:\s+(?:FY\s?)?{_YEAR})?\b"                       # Q3, Q3 2023
    rf"|\b(?:first|second|third|fourth)\s+quarter\s+(?:of\s+)?(?:fiscal\s+)?{_YEAR}\b"
    rf"|\b(?:fiscal|calendar)\s+(?:year\s+)?{_YEAR}\b"            # fiscal 2018
    rf"|\b{_MONTH}\s+\d{{1,2}},?\s+{_YEAR}\b"                      # December 31, 2022
    rf"|\b\d{{1,2}}\s+{_MONTH}\s+{_YEAR}\b"                        # 31 December 2022
    rf"|\b{_MONTH}\s+{_YEAR}\b"                                    # June 2023
    rf"|\b(?:first |last |the )?(?:three|six|nine|twelve|3|6|9|12)[- ]months?\b"  # nine months (ended ...)
    rf"|\b(?:3|6|9|12)M(?=\s+(?:FY|CY|{_YEAR}|ended|ending))|\bfull[- ]year\b|\byear[- ]to[- ]date\b|\bYTD\b"      # 9M, full-year, YTD
    rf"|\b{_YEAR}s?\b",                                            # 2018, 1990s
    re.I,
)
# Capitalised runs, allowing a few lower-case joiners inside ("Bank of America", "Leonardo da Vinci").
# Initials stand before a name or inside it ("J. T. Okonkwo", "Elio D. Ferrante"); a joiner or
# a pair of particles joins its words ("Maria de la Vega", "Ludwig van Aalst").
_NAME = re.compile(
    r"\b(?:[A-Z]\.\s?)*[A-Z][\w'’&.-]*\w"
    r"(?:\s+(?:(?:de|van|von)\s+(?:la|le|der|den|los|las)\s+|(?:of|de|da|del|der|van|von|la|le|the|&|on)\s+)?[A-Z0-9](?:[\w'’&.-]*\w|\.(?=\s+[A-Z]))?)*"
)
_AUXILIARIES = frozenset(
    "is are was were do does did can could has have had will would should may might must shall".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def terms(text: str) -> list[str]:
    """Lower-cased content words (stopwords removed), in order, with repeats."""
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in STOPWORDS]


_MONTH_NAME = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_CALENDAR_DATE = re.compile(
    rf"\b(?P<month>{_MONTH_NAME})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>{_YEAR})\b"           # January 7, 1936
    rf"|\b(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH_NAME})\.?,?\s+(?P<year2>{_YEAR})\b", re.I)  # 7 January 1936


@dataclass(frozen=True)
class CalendarDate:
    """A whole date written out in ``text[start:end]``, with its parts (month 1-12)."""

    start: int
    end: int
    year: int
    month: int
    day: int
    shown: str


def calendar_dates(text: str) -> list[CalendarDate]:
    """Every written-out date in ``text`` ("7 January 1936", "Jan. 7, 1936"), in order."""
    found = []
    for match in _CALENDAR_DATE.finditer(text):
        month = (match.group("month") or match.group("month2")).lower()[:3]
        found.append(CalendarDate(
            match.start(), match.end(), int(match.group("year") or match.group("year2")),
            next(n for n, name in enumerate(MONTHS[:12], start=1) if name.startswith(month)),
            int(match.group("day") or match.group("day2")), " ".join(match.group(0).split())))
    return found


def calendar_date_at(text: str, offset: int) -> str | None:
    """The whole date ("7 January 1936", "January 7, 1936") around the year at ``offset``, if any."""
    return next((date.shown for date in calendar_dates(text) if date.start <= offset < date.end), None)


def person_like(name: str) -> bool:
    """Could ``name`` be a person's: two to four capitalised words (particles aside), none of them
    a function word, an organisation's ending or a place word ("Democracy Is Strengthened",
    "Elections Act" and "Brown County" are not)?"""
    words = name.split()
    if not 2 <= len(words) <= 4:
        return False
    for word in words:
        low = word.lower().strip(",")
        if low in NAME_PARTICLES:
            continue
        if not word[0].isupper() or low in STOPWORDS or low in ORGANIZATION_ENDINGS or low in PLACE_WORDS \
                or low in NOT_PERSON_WORDS:
            return False
    return True

_SUFFIX = re.compile(r"(?:ress|ings?|ed|ers?|ors?|ions?|es|s)$")


def stem(word: str) -> str:
    """A crude stem, enough to match a question's word to the document's form of it
    ("starred" / "stars", "director" / "directed", "actress" / "acted")."""
    word = word.lower()
    if len(word) <= 4:
        return word
    root = _SUFFIX.sub("", word)
    if len(root) > 4 and root.endswith("e"):
        root = root[:-1]  # "settle" / "settled"
    if len(root) >= 4 and root[-1] == root[-2] and root[-1] not in "aeiouls":
        root = root[:-1]  # "starr" -> "star"
    return root if len(root) >= 3 else word


def content_terms(text: str) -> list[str]:
    """Distinct content words that describe what is asked (question words removed too)."""
    return list(dict.fromkeys(t for t in terms(text) if t not in QUESTION_WORDS and (len(t) > 1 or t.isdigit())))


def quoted(text: str) -> list[str]:
    return [" ".join(next(g for g in m.groups() if g).split()) for m in _QUOTED.finditer(text)]


def periods(text: str) -> list[str]:
    return list(dict.fromkeys(" ".join(m.group(0).split()) for m in _PERIOD.finditer(text)))


def identifiers(text: str, *, keys_only: bool = False) -> list[str]:
    """Identifiers. With ``keys_only`` (questions), a plain lower-case hyphenated word counts only
    where a key stands ("the number for long-context", "long-context, big-owl and ..."), not as a
    modifier or a predicate ("a no-confidence motion", "is it thread-safe?")."""
    found = []
    period_spans = [m.span() for m in _PERIOD.finditer(text)]
    for match in _IDENTIFIER.finditer(text):
        token = match.group(0)
        if any(a <= match.start() and match.end() <= b for a, b in period_spans):
            continue  # FY2019, Q3: a qualifier
        if re.fullmatch(r"[\d,.]+|\d+(?:st|nd|rd|th|s)", token, re.I):
            continue  # a number or an ordinal ("3rd", "1990s")
        if keys_only and re.fullmatch(r"[a-z]+(?:-[a-z]+)+", token) and not _key_position(text, match.start(), match.end()):
            continue
        if keys_only and re.fullmatch(r"\d+-[a-z]+", token) and re.match(r"\s+\w", text[match.end():]):
            continue  # "16-bit images", "30-day notice", "36-character ID": a measure describing a noun
        if keys_only and re.fullmatch(r"[a-z]+(?:-[a-z]+)+", token) and _modifies_a_noun(text, match.start(), match.end()):
            continue  # "lots of near-duplicate lines": a compound adjective
        found.append(token)
    return list(dict.fromkeys(found))


_KEY_BEFORE = re.compile(
    r"(?:^|[,:;?(\[\"“'‘/`—–]|(?:^|\s)\d{1,3}[.)]|\b(?:for|of|to|about|with|by|from|on|in|and|or|plus|as well as|do|does|did|is|are|was|were|"
    r"under|against|behind|beside|into|onto|per|via|find|get|grab|gimme|need|want|name|"
    r"key|keys|called|named|labelled|labeled|between|that|which|who|can|could|will|would|should|may|must|might|shall|"
    r"host|service|services|tenant|tenants|user|users|variable|register|file|account|artifact|artefact|package|"
    r"library|image|container|job|node|pod|bucket|queue|topic|branch|repo|repository|module|endpoint|app|server|"
    r"switch|device|cluster|database|instance|project|port|table|worker|daemon|plugin|profile|role|policy|"
    r"record|entry|flag|option|setting|parameter|field|column)s?|[-*•])\s*$", re.I)
_PREDICATE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being|it|they|so|very|not)\s+$", re.I)


# a hyphenated word that gives a thing's shape, not its name: "seven-digit", "36-character"
_MEASURE = re.compile(r"-(?:digit|character|letter|char|bit|byte|part|word)s?$")
_VALUE_NOUN_AFTER = re.compile(r"\s+(?:" + "|".join(VALUE_NOUNS) + r")\b")


def _modifies_a_noun(text: str, start: int, end: int) -> bool:
    """A hyphenated word between a determiner or quantifier and a plain noun: "lots of near-duplicate
    lines", "a no-confidence motion" (not "amber-fox mentioned in ...", "amber-fox and ...")."""
    from lcagent.query.lexicon import HEAD_NOUN_TYPES

    after = re.match(r"\s+([a-z]+)\b", text[end:])
    if not after or after.group(1) in STOPWORDS or after.group(1).endswith(("ed", "ing", "ly")):
        return False
    if after.group(1) in HEAD_NOUN_TYPES:
        # "which seven-digit code": the code's shape; "the amber-fox number": the key the number is for
        return _MEASURE.search(text[start:end]) is not None
    return bool(re.search(r"\b(?:a|an|the|of|some|any|many|lots|few|several|these|those|no)\s+$", text[:start], re.I))


def _key_position(text: str, start: int, end: int) -> bool:
    """Where a key stands: after a preposition, a list mark or a classifier noun ("the account
    svc-backup"), before a verb ("amber-fox was set"), or last in the question where no copula
    makes it a predicate."""
    if _KEY_BEFORE.search(text[:start]) or re.match(r"\s+(?:is|was|were|are|has|had|gets|got|holds|held)\b", text[end:]):
        return True
    if re.match(r"['’]s\b", text[end:]):
        return True  # "amber-fox's number": a possessive marks a named thing
    if _VALUE_NOUN_AFTER.match(text[end:]) and not _MEASURE.search(text[start:end]):
        return True  # "the amber-fox number"
    if re.match(r"\s*(?:[;,/]|,? (?:and|or|plus)) *[a-z]+(?:-[a-z]+)+\b", text[end:]):
        return True  # the first of a list of keys: "look up invincible-glut; giant-skull; ..."
    copula_question = re.match(r"\s*(?:is|are|was|were)\b", text, re.I)  # "Is parse_header thread-safe?"
    return bool(re.match(r"\s*[?.!]*\s*$", text[end:])) and not _PREDICATE_BEFORE.search(text[:start]) \
        and not copula_question


def numbers(text: str) -> list[str]:
    """Numbers that are not part of an identifier or a period."""
    taken = [m.span() for m in _IDENTIFIER.finditer(text)] + [m.span() for m in _PERIOD.finditer(text)]
    found = []
    for match in _NUMBER.finditer(text):
        if any(a <= match.start() and match.end() <= b for a, b in taken):
            continue
        found.append(match.group(0))
    return list(dict.fromkeys(found))


def names(text: str, *, tails: bool = True) -> list[str]:
    """Capitalised names, without a leading question word, auxiliary, article or preposition.

    A lone capitalised word that opens a sentence is just its first word ("Summarise ...",
    "List ...") unless another capitalised word follows; a lone one after "a"/"an" and before a
    lower-case noun is an adjective ("an Italian physicist"); an acronym of a common noun heading
    "X of Name" is not part of the name ("the CEO of Orbis Freight"); a possessive ends a name.
    """
    found = []
    period_spans = [m.span() for m in _PERIOD.finditer(text)]
    for match in _NAME.finditer(text):
        if any(a <= match.start() < b for a, b in period_spans):
            continue  # "FY2018", "June 2023": a period
        raw = match.group(0)
        inside = [a for a, b in period_spans if match.start() < a < match.end()]
        if inside:
            raw = raw[: inside[0] - match.start()].rstrip()  # "EPS FY2021": the name ends where a period starts
            if not raw:
                continue
        possessive = re.search(r"['’]s\b|(?<=s)['’](?!\w)", raw)  # "Poison's", "the Beatles'"; not "O'Rourke"
        if possessive:
            raw = raw[: possessive.start()]  # "Poison's album" → "Poison"
        parts = raw.split()
        while parts and parts[0].lower() in _NOT_NAME_STARTS:
            parts.pop(0)
        while len(parts) > 2 and parts[1].lower() == "of" and _common_acronym(parts[0]):
            parts = parts[2:]  # "CEO of Orbis Freight", "ISBNs of Winter Ledger"
        while parts and ((parts[-1].lower() in STOPWORDS and len(parts[-1]) > 1) or parts[-1] == "&"):
            parts.pop()  # "VAR FXDNW The" (the next sentence's first word); "Building A" keeps its A
        if sentence_initial(text, match.start()) and len(parts) >= 3 and parts[1].lower() in ("of", "for") \
                and _quantity_noun(parts[0]):
            parts = parts[2:]  # "Population of Ferndale", "Revenue for Pelham Motors": the measure is not the name
        while len(parts) >= 2 and parts[0].lower() in NATIONALITIES and parts[1].lower() not in _PLACE_WORDS:
            parts.pop(0)  # "Irish Fine Gael": the adjective describes the name; "South Korean" stays a pair below
        if not parts or (len(parts) == 1 and _common_acronym(parts[0])):
            continue
        name = " ".join(parts).rstrip(".’'")
        after = text[match.end():]
        if (len(parts) == 1 or (len(parts) == 2 and parts[0].lower() in _COMPASS)) and \
                parts[-1].lower() in NATIONALITIES and re.match(r"\s+[a-z]", after):
            continue  # "an American film actor", "a South Korean boy group": an adjective before a noun
        before = text[: match.start()]
        sentence_start = match.start() == 0 or re.search(r"[.?!]\s*[\"“']?$", before)
        if sentence_start and len(parts) == 1 and name == match.group(0).split()[0].rstrip(".’'") \
                and not _fragment_subject(name, text):
            continue  # "Summarise ...", "Since 2 June 2017, ...": the sentence's first word
        if len(parts) == 1 and re.search(r"\b(?:a|an)\s+$", before, re.I) and re.match(r"\s+[a-z]", after):
            continue  # "an Italian physicist": an adjective
        if len(parts) == 1 and not possessive and _DEMONYM.search(name) and re.match(r"\s*(?:[?.!,;]|$|and\b|or\b)", after) \
                and re.search(r"\b(?:is|are|was|were|both|all|not|also|be)\s+$", before, re.I):
            continue  # "both American": a predicate adjective
        if sentence_start and len(parts) == 2 and parts[0].isalpha() and not parts[0].isupper() and (
                _IDENTIFIER.fullmatch(parts[1]) or _CODE.fullmatch(parts[1])):
            # "Later R3 ...", "Register R2 takes ...", "Copy KLMNO into ...": the opening word is
            # a verb or an adverb, the identifier or upper-case code the thing named
            parts, name = parts[1:], parts[1].rstrip(".’'")
        if name.lower() in MONTHS or name.upper() in UNIT_CODES or re.fullmatch(r"\d+", name):
            continue
        verb_follows = re.search(r"\b(?:did|does|do|will|can|could|would|should|may|might|must)\s+(?:the\s+|a\s+|an\s+)?$",
                                 before, re.I)
        tail = "" if possessive or verb_follows or not tails else _noun_tail(text, match.end())
        found.append(name + tail)
    return list(dict.fromkeys(found))


_COMPASS = frozenset("north south east west northern southern eastern western central".split())
_PLACE_WORDS = frozenset("republic empire kingdom state states union federation islands island".split())
_CODE = re.compile(r"[A-Z][A-Z\d]{2,}|\d[\d,.]*")
_DEMONYM = re.compile(r"(?:an|ian|ese|ish|ch|ic|i)$")
_NOT_NAME_STARTS = QUESTION_WORDS | STOPWORDS | frozenset(
    """is are was were do does did can could has have had will would should may might must shall among across within
    every each both either neither""".split()) | frozenset(
    """
    without despite regarding concerning via including per besides amid toward towards upon""".split())
_ADVERBS = frozenset("ever never also still already just only even recently currently once first last often usually "
                     "typically generally normally commonly sometimes".split())


_IMPERATIVES = frozenset(
    """summarise summarize describe explain compare count list name give find show identify provide state report tell
    get return retrieve extract enumerate print output recall fetch look skim condense break boil draft write trace
    follow track pull collect locate check verify confirm calculate compute sum grab paste round dig send share hand
    pls plz gimme lemme need read asap urgent""".split())


def _fragment_subject(word: str, text: str) -> bool:
    """"Amazon total net sales Q3 2022": a terse question opening with a name. The opening word
    counts as a name only when it is no verb, question word or common noun of the lexicon, and
    lower-case words follow it (a normal sentence opens with a question word or a verb)."""
    from lcagent.query.lexicon import HEAD_NOUN_TYPES

    lowered = word.lower()
    if lowered in _IMPERATIVES or lowered in QUESTION_WORDS or lowered in STOPWORDS or lowered in HEAD_NOUN_TYPES:
        return False
    if re.fullmatch(r"\w+['’](?:d|re|m|ll|ve)", lowered):
        return False  # "I'd like ...", "We're migrating ...": a pronoun and its verb
    if lowered.endswith(("ing", "ed", "ly")) or not text.startswith(word):
        return False
    if re.match(re.escape(word) + r"\s+(?:for|of|to|with|against|under|behind|from|on)\b", text):
        return False  # "Passcode for Gate 9?": the opening noun is what is asked of the name after it
    return re.match(re.escape(word) + r"(?:['’]s)?\s+[a-z]", text) is not None


def sentence_initial(text: str, start: int) -> bool:
    return start == 0 or re.search(r"[.?!]\s*[\"“']?$", text[:start]) is not None


def _quantity_noun(word: str) -> bool:
    """A measure or a role that heads "X of Name" ("Population of Ferndale", "Founders of Quillon Press")."""
    from lcagent.query.lexicon import HEAD_NOUN_TYPES, PERSON_ROLES

    low = word.lower()
    return any(HEAD_NOUN_TYPES.get(form) in ("number", "date", "person") or form in PERSON_ROLES
               for form in (low, low.removesuffix("s")))


def _common_acronym(word: str) -> bool:
    """"CEO", "IDs", "ISBN": an all-capitals common noun, not a name."""
    from lcagent.query.lexicon import HEAD_NOUN_TYPES, PERSON_ROLES

    bare = re.sub(r"s$", "", word)
    return bare.isupper() and len(bare) >= 2 and (bare.lower() in HEAD_NOUN_TYPES or bare.lower() in PERSON_ROLES)


_TAIL = re.compile(r"((?:\s+[a-z][a-z'’-]+){1,2}?)(?=\s+(?:\w+ed|\w+ing|is|are|was|were|has|have|had)\b)")


def _noun_tail(text: str, end: int) -> str:
    """Lower-case nouns that finish a name's noun phrase ("the Harrow Point *light* automated"):
    up to two words, when what follows is a verb form."""
    match = _TAIL.match(text, end)
    if not match:
        return ""
    tail = match.group(1).split()
    if any(w in STOPWORDS or w in QUESTION_WORDS or w in _ADVERBS or w.endswith(("ed", "ly", "ing")) for w in tail):
        return ""
    from lcagent.query.lexicon import HEAD_NOUN_TYPES, PERSON_ROLES

    if tail[-1] in PERSON_ROLES or HEAD_NOUN_TYPES.get(tail[-1]) == "person":
        return ""  # "the Labour Party politician founded ...": a role, not part of the name
    return " " + " ".join(tail)


def entities(text: str, limit: int = 12) -> dict[str, str]:
    """Names, identifiers and numbers in a passage → their kind ("name", "id", "number").

    Years count as numbers here: in a passage they are facts, not restrictions."""
    found: dict[str, str] = {}
    for name in names(text, tails=False):
        if len(name) >= 3 and name not in found:
            found[name] = "name"
    for identifier in identifiers(text):
        if any(identifier in name.split() for name in found):
            found = {k: v for k, v in found.items() if identifier not in k.split()}
        found.setdefault(identifier, "id")
    taken = [m.span() for m in _IDENTIFIER.finditer(text)]
    for match in _NUMBER.finditer(text):
        number = match.group(0)
        if len(number.strip("+-$%")) >= 2 and not any(a <= match.start() and match.end() <= b for a, b in taken):
            found.setdefault(number, "number")
    return dict(list(found.items())[:limit])
