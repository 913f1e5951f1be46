"""The wording suite's data: every RULER task's question asked as people ask it, and the
sentence templates its facts are written in. Generation lives in ``wording.py``.

Written without looking at lcagent's question rules, so nothing here is tuned to them; keep
these out of the rules' examples. A wording marked ``reworded`` shares no content word with
RULER's own template for its task (keys and values aside); tests compute that.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    """One way to ask a task's question.

    Placeholders: ``{key}`` (one needle key), ``{keys}`` (several keys, joined as
    ``coordination`` says), ``{value}`` (variable tracking's number), ``{k}`` / ``{k_words}``
    (how many words are asked for, in digits or in words), ``{question}`` (a QA item's question).
    """

    id: str
    text: str
    styles: tuple[str, ...]  # question, imperative, terse, polite, preface, quoted, reworded
    coordination: str = ""  # multiquery only: a key of COORDINATIONS


@dataclass(frozen=True)
class NeedleTemplate:
    """How a key's value is written into the haystack (``{key}``, ``{value}``, ``{value_kind}``)."""

    id: str
    text: str


@dataclass(frozen=True)
class ChainStyle:
    """How variable tracking's chain is written: the first statement assigns ``{value}`` to
    ``{name}``; each later one copies ``{source}`` into ``{name}``. Phrasings rotate per statement."""

    id: str
    assignments: tuple[str, ...]
    copies: tuple[str, ...]


def _w(id: str, text: str, *styles: str, coordination: str = "") -> Wording:
    return Wording(id, text, styles, coordination)


NEEDLE_TEMPLATES: tuple[NeedleTemplate, ...] = (
    NeedleTemplate("ruler", "One of the special magic {value_kind} for {key} is: {value}."),
    NeedleTemplate("access_code", "The access code assigned to {key} is {value}."),
    NeedleTemplate("reference", "{key}: {value} (reference value)"),
    NeedleTemplate("use_for", "For {key}, use {value}."),
    NeedleTemplate("records", "According to the records, {key} corresponds to {value}."),
)

CHAIN_STYLES: tuple[ChainStyle, ...] = (
    ChainStyle("ruler", ("VAR {name} = {value}",), ("VAR {name} = VAR {source}",)),
    ChainStyle(
        "registers",
        ("The register {name} is loaded with {value}.", "Register {name} starts out holding {value}."),
        ("Register {name} takes whatever {source} holds.", "{name} is the same as {source}.",
         "The contents of register {source} are copied into register {name}."),
    ),
    ChainStyle(
        "plain",
        ("Let {name} be {value}.", "{name} is set to {value}."),
        ("{name} gets the value of {source}.", "Set {name} equal to {source}.", "{name} now equals {source}."),
    ),
    ChainStyle(
        "store",
        ("Store {value} in {name}.", "Put {value} into {name}."),
        ("Copy {source} into {name}.", "Whatever is in {source} also goes into {name}.",
         "{name} receives a copy of {source}."),
    ),
)

# How several keys are joined in one question (niah_multiquery).
COORDINATIONS = ("and", "oxford", "as_well_as", "bullets", "numbered", "slash", "semicolons", "plus")

WORDINGS: dict[str, tuple[Wording, ...]] = {
    "niah_single_1": (
        _w("number_given", "What number is given for {key}?", "question"),
        _w("figure_tied", "Which figure is tied to {key}?", "question", "reworded"),
        _w("dash_code", "{key} — what code goes with it?", "terse", "reworded"),
        _w("look_up_value", "Look up the value listed for {key}.", "imperative", "reworded"),
        _w("polite_belongs", "Could you tell me the number that belongs to {key}, please?", "polite"),
        _w("lost_track", "I'm going through these notes and lost track of something. "
                         "What number was recorded for \"{key}\"?", "preface", "quoted"),
        _w("colon_number", "'{key}': number?", "terse", "quoted"),
        _w("find_magic", "Find the magic number for {key}.", "imperative"),
        _w("seven_digit", "Give me the seven-digit figure associated with {key}.", "imperative", "reworded"),
    ),
    "niah_single_2": (
        _w("whats_number", "What's the number for {key}?", "question"),
        _w("recorded_under", "Which value is recorded under {key}?", "question", "reworded"),
        _w("key_figure", "{key}: which figure?", "terse", "reworded"),
        _w("retrieve_code", "Please retrieve whatever code the document assigns to {key}.",
           "imperative", "polite", "reworded"),
        _w("special_linked", "Tell me the special number linked to {key}.", "imperative"),
        _w("before_meeting", "Quick question before the meeting: what number does the document give "
                             "for '{key}'?", "preface", "quoted"),
        _w("associated", "Number associated with {key}?", "terse"),
        _w("would_you_mind", "Would you mind finding the magic number that goes with {key}?", "polite"),
        _w("somewhere_in_here", "Somewhere in here there's a number for {key}. What is it?", "preface"),
    ),
    "niah_single_3": (
        _w("uuid_for", "What is the UUID for {key}?", "question"),
        _w("identifier_belongs", "Which identifier belongs to {key}?", "question", "reworded"),
        _w("arrow_id", "{key} → ID?", "terse", "reworded"),
        _w("look_up_code", "Look up the code recorded against \"{key}\" and give it to me.",
           "imperative", "quoted", "reworded"),
        _w("polite_identifier", "Could you please find the identifier that the notes attach to {key}?", "polite"),
        _w("config_file", "I need this for a config file: what's the ID for {key}?", "preface"),
        _w("special_uuid", "Find the special magic uuid for {key}.", "imperative"),
        _w("hex_code", "Which long hexadecimal code goes with '{key}'?", "question", "quoted"),
        _w("letters_digits", "What string of letters and digits is given for {key}?", "question"),
    ),
    "niah_multikey_1": (
        _w("goes_with", "What number goes with {key}?", "question"),
        _w("attach", "Which figure does the document attach to {key}?", "question", "reworded"),
        _w("for_key_value", "For {key}, what's the value?", "terse", "reworded"),
        _w("report_code", "Report the code stored under \"{key}\".", "imperative", "quoted", "reworded"),
        _w("only_care", "I only care about {key}: what is its number?", "preface"),
        _w("not_the_others", "Please tell me which number belongs to {key}, not to any of the others.", "polite"),
        _w("number_for", "Number for {key}?", "terse"),
        _w("scattered", "There are several codes scattered through this. The one I'm after is for "
                        "{key} — what is it?", "preface"),
        _w("find_given", "Find the magic number that was given for '{key}'.", "imperative", "quoted"),
    ),
    "niah_multikey_2": (
        _w("listed", "What number is listed for {key}?", "question"),
        _w("maps_to", "{key} maps to which value?", "terse", "reworded"),
        _w("among_entries", "Among all these entries, which figure belongs to {key}?", "question", "reworded"),
        _w("pull_out", "Pull out the code for “{key}” and nothing else.", "imperative", "quoted", "reworded"),
        _w("find_number", "Find the number for {key}.", "imperative"),
        _w("look_up_for_me", "Could you look up the number for {key} for me?", "polite"),
        _w("long_list", "This is a long list of codes. I need the one for {key}; what is it?", "preface"),
        _w("dash_number", "{key} — number?", "terse"),
        _w("which_of_many", "Which of the many numbers here is the one for {key}?", "question"),
    ),
    "niah_multikey_3": (
        _w("paired", "What UUID is paired with {key}?", "question"),
        _w("linked", "Which identifier is linked to {key}?", "question", "reworded"),
        _w("resolves", "{key} resolves to what ID?", "terse", "reworded"),
        _w("give_code", "Give the code recorded for the key {key}.", "imperative", "reworded"),
        _w("find_uuid", "Find the uuid for '{key}'.", "imperative", "quoted"),
        _w("please_look_up", "Please look up the UUID that goes with {key}.", "polite"),
        _w("cross_referencing", "Cross-referencing IDs here. For {key}, what's the matching UUID?", "preface"),
        _w("match_for", "Match for {key}?", "terse"),
        _w("belongs_to_key", "Which UUID belongs to key {key}?", "question"),
    ),
    "niah_multivalue": (
        _w("all_numbers", "What are all the numbers for {key}?", "question"),
        _w("every_figure", "List every figure tied to {key}.", "imperative", "reworded"),
        _w("several_values", "{key} has several values — which ones?", "terse", "reworded"),
        _w("each_of_them", "Which codes belong to '{key}'? I need each of them.", "question", "quoted", "reworded"),
        _w("every_recorded", "Could you give me every number recorded for {key}, please?", "polite"),
        _w("more_than_one", "I think more than one number was given for {key}. What are they all?", "preface"),
        _w("all_terse", "All numbers for {key}?", "terse"),
        _w("each_magic", "Find each magic number associated with {key}.", "imperative"),
        _w("all_of_them", "Name the numbers that go with {key}, all of them.", "imperative"),
    ),
    "niah_multiquery": (
        _w("go_with", "What numbers go with {keys}?", "question", coordination="plus"),
        _w("belong_to", "Which figures belong to {keys}?", "question", "reworded", coordination="oxford"),
        _w("codes_for", "Give me the codes for {keys}.", "imperative", "reworded", coordination="as_well_as"),
        _w("for_each_of_these", "For each of these, what value is recorded?{keys}", "question", "reworded",
           coordination="bullets"),
        _w("carry", "What do {keys} carry?", "terse", "reworded", coordination="and"),
        _w("polite_numbers", "Could you look up the numbers for {keys}, please?", "polite", coordination="oxford"),
        _w("one_each", "I need four numbers from this document, one for each of the following:{keys}",
           "preface", coordination="numbered"),
        _w("slash_list", "Numbers: {keys}?", "terse", coordination="slash"),
        _w("each_key", "Find the magic number for each key: {keys}.", "imperative", coordination="semicolons"),
    ),
    "vt": (
        _w("end_up_holding", "Which registers end up holding {value}?", "question", "reworded"),
        _w("name_everything", "Name everything that ends up with {value} in it.", "imperative", "reworded"),
        _w("after_copying", "Once all the copying is done, which names contain {value}?",
           "question", "preface", "reworded"),
        _w("variables_assigned", "Which variables are assigned {value}?", "question"),
        _w("polite_equal", "Could you list every variable that ends up equal to {value}, please?", "polite"),
        _w("tracing_bug", "I'm tracing a bug. After all the copies, which names hold {value}?", "preface"),
        _w("holders", "Holders of {value}?", "terse"),
        _w("directly_or_not", "Find each variable whose value is {value}, directly or through copying.",
           "imperative"),
        _w("slots_contain", "Which slots contain {value} once every copy has been made?", "question", "reworded"),
    ),
    "cwe": (
        _w("most_frequent", "What are the {k_words} most frequent words?", "question"),
        _w("repeated_more", "Which {k} entries are repeated more than any other?", "question", "reworded"),
        _w("highest_counts", "Give me the {k_words} items with the highest counts.", "imperative", "reworded"),
        _w("recur_most", "Which {k_words} terms recur most?", "terse", "reworded"),
        _w("come_up_most", "Which words come up most? I need the {k_words} of them.", "question"),
        _w("polite_frequently", "Could you please tell me the {k} words that occur most frequently in this list?",
           "polite"),
        _w("checking_repeats", "I'm checking a word list for repeats. Which {k} words appear most often?", "preface"),
        _w("terse_digits", "{k} most frequent words?", "terse"),
        _w("show_up", "List the {k_words} words that show up the most times in the list.", "imperative"),
    ),
    "fwe": (
        _w("most_frequent", "What are the {k_words} most frequent words?", "question"),
        _w("greatest_number", "Which {k} tokens occur the greatest number of times?", "question", "reworded"),
        _w("strings_recur", "Which {k_words} strings recur most?", "terse", "reworded"),
        _w("highest_counts", "Name the {k} entries with the highest counts.", "imperative", "reworded"),
        _w("come_up_most", "Which words come up most? Give the top {k_words}.", "question"),
        _w("polite_used", "Could you tell me which {k_words} words are used most often here?", "polite"),
        _w("gibberish", "There's a lot of gibberish here. Which {k_words} words show up the most?", "preface"),
        _w("terse_digits", "{k} most frequent words?", "terse"),
        _w("ignoring_dots", "List the {k_words} words that appear most frequently, ignoring the dots.", "imperative"),
    ),
    "qa_1": (
        _w("bare", "{question}", "question", "reworded"),
        _w("these_pages", "From these pages: {question}", "preface", "reworded"),
        _w("quick_one", "Quick one about the material here. {question}", "preface", "reworded"),
        _w("keep_short", "{question} Keep it short.", "question", "reworded"),
        _w("could_you", "Could you answer this from the documents? {question}", "polite", "preface"),
        _w("cite", "{question} (Cite the passage if you can.)", "question"),
        _w("based_on", "Based on the text: {question}", "preface"),
        _w("exam", "I'm studying this for an exam. {question}", "preface", "reworded"),
        _w("please_help", "Please help: {question}", "polite"),
    ),
    "qa_2": (
        _w("bare", "{question}", "question", "reworded"),
        _w("across_articles", "Reading across these articles: {question}", "preface", "reworded"),
        _w("combine", "{question} You may need to combine two passages.", "question", "reworded"),
        _w("from_documents", "Answer from the documents: {question}", "preface"),
        _w("work_out", "Could you work this out for me? {question}", "polite", "preface"),
        _w("disagree", "My friend and I disagree about this one. {question}", "preface", "reworded"),
        _w("q_colon", "Q: {question}", "terse"),
        _w("just_the_answer", "{question} Just the answer, please.", "polite"),
        _w("puzzle", "Here's a puzzle that spans a couple of paragraphs: {question}", "preface", "reworded"),
    ),
}
