"""Write the small realdocs test set: two short PDFs made with lcagent.pdfgen and their questions.

    python tests/data/realdocs/make_data.py

The documents and questions were written for lcagent's tests (MIT, like the project); they
imitate a prepared MMLongBench-Doc folder: documents/*.pdf and questions.jsonl.
"""

from __future__ import annotations

import json
from pathlib import Path

from lcagent.pdfgen import render_text_pdf

HERE = Path(__file__).resolve().parent

HARBOUR_REPORT = [
    "Northwind Harbour Authority\nAnnual Report 2023\n\nThis report covers the harbour's operations, finances "
    "and governance for the year ended 31 December 2023. It is published for port users, the city council "
    "and the public.",
    "Letter from the chair\n\nThe year brought record container traffic and the opening of the new ferry "
    "terminal. Our crews kept the channel open through the winter storms. We thank the pilots, the tug "
    "operators and the people of Northwind for their patience during the works on the east quay.",
    "Consolidated statement of cash flows (in millions)\n\n"
    "Item                                             2023     2022\n"
    "Cash from operations                              2,310    2,045\n"
    "Purchases of property, plant and equipment        (1,577)  (1,204)\n"
    "Proceeds from the sale of the old pilot station     38       0\n"
    "Net change in cash                                  771      841",
    "Board of directors\n\nThe board met eight times in 2023. Ilse Marrow chaired the audit committee, "
    "which reviewed the harbour's accounts and its insurance. Two new directors joined in June.",
    "Bankers and advisers\n\nThe authority banks with the State Bank of Kell and Harrow Mutual. "
    "Its auditors are Lintel and Brook, chartered accountants.",
]

PUMP_MANUAL = [
    "K-40 circulation pump\nInstallation and operating manual\n\nRead this manual before you install the "
    "pump. Keep it near the pump for later reference.",
    "Installation\n\nMount the pump with the arrow on the housing pointing in the direction of flow. "
    "Tighten the mounting bolts to 12 Nm. Fill the system with water before the first start.",
    "Error codes\n\nE07: dry running. The pump stops when it runs without water. Refill the system and "
    "press reset.\nE12: over-temperature. Let the pump cool for ten minutes before restarting.",
    "Warranty\n\nThe pump is covered for two years from the date of purchase. Keep your receipt. The "
    "warranty does not cover damage from dry running or frost.",
]


def _question(index: int, doc: str, question: str, answer: str, pages: list[int], sources: list[str],
              answer_format: str, split: str, kind: str, origin: str = "lcagent test set") -> dict:
    return {"id": f"t-{index}", "index": index, "doc": doc, "question": question, "answer": answer,
            "evidence_pages": pages, "evidence_sources": sources, "answer_format": answer_format,
            "answerable": answer != "Not answerable", "split": split, "kind": kind, "origin": origin}


QUESTIONS = [
    _question(1, "harbour_report.pdf", "How much did the harbour spend on purchases of property, plant and "
              "equipment in 2023?", "1.577 billion", [3], ["Table"], "Float", "dev", "financial report"),
    _question(2, "harbour_report.pdf", "How many times did the board meet in 2023?", "8", [4],
              ["Pure-text (Plain-text)"], "Int", "dev", "financial report"),
    _question(3, "harbour_report.pdf", "Who are the authority's bankers?", "['State Bank of Kell', 'Harrow Mutual']",
              [5], ["Pure-text (Plain-text)"], "List", "dev", "financial report"),
    _question(4, "harbour_report.pdf", "What was the dredging budget for 2030?", "Not answerable", [], [], "None",
              "dev", "financial report"),
    _question(5, "pump_manual.pdf", "What does error code E07 mean?", "dry running", [3],
              ["Pure-text (Plain-text)"], "Str", "test", "guidebook"),
    _question(6, "pump_manual.pdf", "What torque should the mounting bolts be tightened to?", "12 Nm", [2],
              ["Pure-text (Plain-text)"], "Str", "test", "guidebook"),
    _question(7, "pump_manual.pdf", "How many times did the board meet in 2023?", "Not answerable", [], [], "None",
              "test", "guidebook", origin="t-2 (harbour_report.pdf) asked of another document"),
]


def main(folder: Path = HERE) -> None:
    (folder / "documents").mkdir(parents=True, exist_ok=True)
    render_text_pdf(HARBOUR_REPORT, folder / "documents" / "harbour_report.pdf", title="Northwind Harbour Authority")
    render_text_pdf(PUMP_MANUAL, folder / "documents" / "pump_manual.pdf", title="K-40 pump manual")
    lines = [json.dumps(question) for question in QUESTIONS]
    (folder / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
