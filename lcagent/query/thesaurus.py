"""Domain vocabulary: the names a document gives to what a question asks in other words.

Financial statements name standard line items in a few fixed ways ("capital expenditure" is
"Purchases of property and equipment" in a cash-flow statement); small sentence-embedding models
do not know that, and a 135M model cannot propose it. Each group below lists names of one line
item; a question naming one is expanded into the others, which then rank pages and table rows.
A capable model can propose more (see ``lcagent.agents.operators.tables``); whatever is proposed
is used only where the document itself contains it.
"""

from __future__ import annotations

import re

# one line item per group; every phrase is lower case, written as statements print it
GROUPS: tuple[tuple[str, ...], ...] = (
    ("capital expenditure", "capital expenditures", "capex", "capital spending", "purchases of property and equipment",
     "purchases of property, plant and equipment", "purchase of property, plant and equipment",
     "additions to property and equipment", "payments for property and equipment", "capital additions",
     "payments for acquisition of property, plant and equipment"),
    ("revenue", "revenues", "total revenue", "total revenues", "net sales", "total net sales", "net revenues", "sales",
     "turnover"),
    ("net income", "net earnings", "net profit", "net loss", "net income (loss)", "profit for the year",
     "net loss attributable"),
    ("operating income", "income from operations", "operating profit", "loss from operations", "operating loss",
     "operating income (loss)"),
    ("gross profit", "gross margin"),
    ("earnings per share", "eps", "diluted earnings per share", "basic earnings per share", "net income per share",
     "net loss per share", "earnings (loss) per share"),
    ("cost of goods sold", "cogs", "cost of sales", "cost of revenue", "cost of revenues"),
    ("research and development", "r&d", "research and development expenses"),
    ("selling, general and administrative", "sg&a", "general and administrative"),
    ("depreciation and amortization", "d&a", "depreciation, depletion and amortization"),
    ("operating cash flow", "cash from operations", "cash flow from operations", "cash flows from operating activities",
     "net cash provided by operating activities", "net cash used in operating activities",
     "net cash provided by (used in) operating activities"),
    ("investing cash flow", "cash flow from investing", "net cash used in investing activities",
     "net cash provided by investing activities", "investing cash outflow"),
    ("financing cash flow", "cash flow from financing", "net cash provided by financing activities",
     "net cash used in financing activities"),
    ("total assets",),
    ("total liabilities",),
    ("shareholders' equity", "stockholders' equity", "total equity", "total shareholders' equity",
     "total stockholders' equity"),
    ("long-term debt", "long-term borrowings", "long-term debt, net of current portion", "non-current borrowings"),
    ("accounts receivable", "trade receivables", "accounts receivable, net"),
    ("accounts payable", "trade payables"),
    ("inventory", "inventories"),
    ("dividends paid", "cash dividends", "dividends declared", "payments of dividends"),
    ("share repurchases", "buybacks", "stock buybacks", "repurchases of common stock", "purchases of treasury stock",
     "repurchase of common stock"),
    ("cash and cash equivalents", "cash and equivalents"),
    ("income tax expense", "provision for income taxes", "income taxes", "benefit from income taxes"),
    ("interest expense",),
    ("employees", "headcount", "full-time employees"),
)

_INDEX = {phrase: group for group in GROUPS for phrase in group}


def expansions(text: str) -> list[str]:
    """``text`` with each line item it names replaced by the item's other names (the rest of the
    text kept: "delivery revenue" → "delivery net sales", ...); [] when it names none."""
    lowered = " ".join(re.sub(r"[^\w&',()-]+", " ", text.lower()).split())
    found: list[str] = []
    for phrase in sorted(_INDEX, key=len, reverse=True):
        pattern = rf"(?<![\w-]){re.escape(phrase)}(?![\w-])"
        if re.search(pattern, lowered):
            # the statements' longer names first: they say most about where the figure is printed
            others = sorted((o for o in _INDEX[phrase] if o != phrase), key=len, reverse=True)
            found += [" ".join(re.sub(pattern, other, lowered).split()) for other in others]
            lowered = re.sub(pattern, " ", lowered)
    return list(dict.fromkeys(found))
