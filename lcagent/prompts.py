"""Every prompt lcagent sends, in one place, as data.

Each prompt names the variables it needs; ``render`` refuses missing or unexpected ones,
so a template and its caller cannot drift apart silently.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from lcagent.runners.base import Message


class PromptError(KeyError):
    pass


@dataclass(frozen=True)
class Prompt:
    name: str
    system: str
    user: str

    def variables(self) -> set[str]:
        found: set[str] = set()
        for template in (self.system, self.user):
            found.update(field for _, field, _, _ in string.Formatter().parse(template) if field)
        return found

    def render(self, **values: object) -> list[Message]:
        needed = self.variables()
        missing = needed - values.keys()
        extra = values.keys() - needed
        if missing or extra:
            raise PromptError(f"prompt {self.name!r}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        messages = []
        if self.system:
            messages.append(Message("system", self.system.format(**values)))
        messages.append(Message("user", self.user.format(**values)))
        return messages


EXTRACT_ANSWER = Prompt(
    name="extract_answer",
    system="You answer questions by copying the exact words from a sentence. Reply with the answer only.",
    user=(
        "Sentence: The ship's captain in 1902 was Marta Olsen.\n"
        "Question: Who was the captain in 1902?\n"
        "Answer: Marta Olsen\n\n"
        "Sentence: One of the special codes for blue-river is: 4471932.\n"
        "Question: What is the special code for blue-river?\n"
        "Answer: 4471932\n\n"
        "Sentence: {sentence}\n"
        "Question: {question}\n"
        "Answer:"
    ),
)

ANSWER_FROM_EVIDENCE = Prompt(
    name="answer_from_evidence",
    system=(
        "You answer a question using only the numbered evidence lines from a document. "
        "Be brief. If the evidence does not contain the answer, reply exactly: not found"
    ),
    user="Evidence:\n{evidence}\n\nQuestion: {question}\nAnswer:",
)

ANSWER_WITH_QUOTES = Prompt(
    name="answer_with_quotes",
    system=(
        "You answer a question using only the numbered evidence from a document. Reply with JSON: "
        '{{"answer": "...", "quotes": ["exact sentence copied from the evidence", ...]}}. '
        "Quotes must be copied word for word. If the evidence does not answer the question, "
        'reply {{"answer": "not found", "quotes": []}}.'
    ),
    user="Evidence:\n{evidence}\n\nQuestion: {question}",
)

CHOOSE_ACTION = Prompt(
    name="choose_action",
    system=(
        "You find answers in a long document using tools. Reply with one JSON action.\n"
        "Tools: search (words to look for), grep (exact text), read (pages like '12'), answer (when the evidence "
        "answers the question)."
    ),
    user=(
        "Question: {question}\n\nEvidence so far:\n{evidence}\n\nActions taken: {history}\n"
        "Step {step} of {max_steps}. Choose the next action."
    ),
)

CHAIN_WORKER = Prompt(
    name="chain_worker",
    system=(
        "You read one part of a long document and keep notes for a question. Copy every sentence from this "
        "part that helps answer the question, with its page, e.g. 'p. 12: ...'. Keep the useful notes from "
        "the previous parts. Write nothing else. If nothing is relevant, repeat the previous notes."
    ),
    user=(
        "Part {part} of {parts} (pages {pages}):\n{chunk}\n\n"
        "Question: {question}\n\nNotes from previous parts:\n{previous}\n\nUpdated notes:"
    ),
)

CHAIN_MANAGER = Prompt(
    name="chain_manager",
    system=(
        "You answer a question from notes that readers took on a long document. Be brief. If the notes do not "
        "contain the answer, reply exactly: not found"
    ),
    user="Notes:\n{notes}\n\nQuestion: {question}\nAnswer:",
)

MAP_WORKER = Prompt(
    name="map_worker",
    system=(
        "You read one part of a long document. Copy the sentences that help answer the question, each with its "
        "page, e.g. 'p. 12: ...'. If nothing in this part is relevant, reply exactly: nothing relevant"
    ),
    user="Part {part} of {parts} (pages {pages}):\n{chunk}\n\nQuestion: {question}\nRelevant sentences:",
)

REDUCE = Prompt(
    name="reduce",
    system=(
        "You combine notes from several readers of a long document into one set of notes for the question. "
        "Keep every fact that helps, with its page. Drop repeats."
    ),
    user="Notes:\n{notes}\n\nQuestion: {question}\nCombined notes:",
)

FULL_CONTEXT = Prompt(
    name="full_context",
    system="You answer questions about a document. Be brief. If the document does not say, reply exactly: not found",
    user="Document:\n{document}\n\nQuestion: {question}\nAnswer:",
)

MEMEX_ACTION = Prompt(
    name="memex_action",
    system=(
        "You find answers in a long document using tools. Full tool outputs are archived under indices like m12; "
        "you see only the index map and short summaries. Reply with one JSON action.\n"
        "Tools: search (words to look for), grep (exact text), read (pages like '12'), recall (an index like 'm12', to "
        "see its exact text), compress (a short summary of what you know, naming every index you still need), answer "
        "(when the evidence answers the question)."
    ),
    user=(
        "Question: {question}\n\nIndex map:\n{index_map}\n\nWorking notes:\n{notes}\n\n{status}\n"
        "Step {step} of {max_steps}. Choose the next action."
    ),
)

EXTRACT_ENTITIES = Prompt(
    name="extract_entities",
    system=(
        "You read a passage and list the people, places, works, organisations, dates and numbers it links, and "
        "one short sentence saying how they are related. Copy names exactly as written. Reply with JSON."
    ),
    user="Passage:\n{passage}\n\nQuestion it may help with: {question}",
)

JUDGE_MEMORY = Prompt(
    name="judge_memory",
    system=(
        "You decide the next step of a search in a long document from memory units (facts found so far). "
        "Reply with JSON: decision 'answer' if the units answer the question, 'deepen' to look closer around one "
        "unit (give its number), or 'widen' to search a part of the question no unit covers (give new search words)."
    ),
    user="Question: {question}\n\nMemory units:\n{units}\n\nEarlier searches: {searches}",
)

PLAN_QUESTION = Prompt(
    name="plan_question",
    system=(
        "You analyse a question about a document before anyone searches it. Reply with JSON:\n"
        "intent: lookup (one fact), multi_lookup (the same fact for several subjects), all_values (every value of one "
        "subject), chain (follow links such as X = Y hop by hop), count (count in the document), top_k (the k most "
        "frequent words or items), choose (pick one of the options the question offers), yes_no, bridge (needs an "
        "entity the question does not name), summary;\n"
        "answer_type: number, date, person, place, organization, identifier, list, phrase, sentence, yes_no;\n"
        "subjects: the named things the question is about, copied exactly from the question;\n"
        "relation: what is asked about them, in the question's words; qualifiers: years or periods that restrict it; "
        "options: the choices it offers; k: how many items for top_k; direction: forward or backward for a chain."
    ),
    user="Question: {question}",
)

QUERY_EXPANSION = Prompt(
    name="query_expansion",
    system=(
        "You know how documents name things. Given what a question asks, list up to five other names or phrases a "
        "document could use for it (for a financial figure: the line item's name in the statements). "
        "Reply with JSON whose \"names\" lists them."
    ),
    user="What is asked: {relation}",
)

ALL_PROMPTS: tuple[Prompt, ...] = (
    EXTRACT_ANSWER,
    ANSWER_FROM_EVIDENCE,
    ANSWER_WITH_QUOTES,
    CHOOSE_ACTION,
    CHAIN_WORKER,
    CHAIN_MANAGER,
    MAP_WORKER,
    REDUCE,
    FULL_CONTEXT,
    MEMEX_ACTION,
    EXTRACT_ENTITIES,
    JUDGE_MEMORY,
    PLAN_QUESTION,
    QUERY_EXPANSION,
)
