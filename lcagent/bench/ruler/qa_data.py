"""SQuAD and HotpotQA as RULER reads them: a sorted pool of unique paragraphs and, per
question, the paragraphs that hold its answer (plus, for SQuAD, its article's other ones)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class QAItem:
    query: str
    answers: list[str]
    gold_docs: list[int]  # indices into QADataset.docs; always in the context
    related_docs: list[int] = field(default_factory=list)  # preferred distractors
    supporting_docs: list[int] = field(default_factory=list)  # those that hold the answer


@dataclass(frozen=True)
class QADataset:
    items: list[QAItem]
    docs: list[str]


def read_squad(data: dict[str, Any]) -> QADataset:
    docs = sorted({paragraph["context"] for article in data["data"] for paragraph in article["paragraphs"]})
    doc_index = {doc: position for position, doc in enumerate(docs)}
    items = []
    for article in data["data"]:
        article_docs = [doc_index[paragraph["context"]] for paragraph in article["paragraphs"]]
        for paragraph in article["paragraphs"]:
            own = doc_index[paragraph["context"]]
            for qa in paragraph["qas"]:
                if qa["is_impossible"]:
                    continue
                items.append(QAItem(
                    query=qa["question"],
                    answers=[answer["text"] for answer in qa["answers"]],
                    gold_docs=[own],
                    related_docs=[doc for doc in article_docs if doc != own],
                    supporting_docs=[own],
                ))
    return QADataset(items, docs)


def read_hotpotqa(data: list[dict[str, Any]]) -> QADataset:
    def render(title: str, sentences: list[str]) -> str:
        return f"{title}\n{''.join(sentences)}"

    docs = sorted({render(title, sentences) for row in data for title, sentences in row["context"]})
    doc_index = {doc: position for position, doc in enumerate(docs)}
    items = []
    for row in data:
        supporting_titles = {title for title, _ in row.get("supporting_facts", [])}
        items.append(QAItem(
            query=row["question"],
            answers=[row["answer"]],
            # RULER keeps all ten of HotpotQA's paragraphs (2 gold, 8 distractors) together.
            gold_docs=[doc_index[render(title, sentences)] for title, sentences in row["context"]],
            supporting_docs=[doc_index[render(title, sentences)]
                             for title, sentences in row["context"] if title in supporting_titles],
        ))
    return QADataset(items, docs)
