"""The rule-based analyser's rules, as data: each rule next to the questions it exists for.

Rules match grammar-level features of the normalised, lower-cased question (wh-word and head
noun, auxiliary-first, imperative verbs, coordination, relative clauses, numerals), never one
benchmark's phrasing. Tables are ordered: the first rule that matches decides. Every rule's
examples are checked by tests/query/test_rules.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str  # searched (re.search) in the normalised, lower-cased question
    value: str  # the intent or answer type it sets
    examples: tuple[str, ...]  # questions it must match
    not_examples: tuple[str, ...] = ()  # questions it must not match

    def matches(self, lowered: str) -> bool:
        return re.search(self.pattern, lowered) is not None


# --- wrappers: words around the question that do not ask anything -------------------------
PREFACE = Rule(
    "preface",
    r"^(?:(?:quick|simple|short|one|another|follow-?up|last|next)\s+(?:question|one|q)|question|q|tell me again"
    r"|hey(?: there)?|hi|hello|ok(?:ay)?|so|well|also|and|please|just wondering|i(?:'m| am) (?:wondering|curious)"
    r"|i wonder|i(?:'d| would) like to know|i want(?: to know)?|i need(?: to know)?|help me (?:find|out)"
    r"|(?:can|could|would|will) you(?: please)?(?: tell me| let me know| check| find out)?|do you know"
    r"|(?:please )?tell me|let me know|based on (?:the|this) \w+|according to (?:the|this) \w+"
    r"|from (?:the|this) \w+|in (?:the|this) (?:document|text|report|file|manual|paper|book|article))"
    r"(?=[\s,:;!-])[\s,:;!-]*",
    "",
    ("quick question: who wrote it?", "tell me again: were they both american?", "could you tell me who wrote it?",
     "according to the report, what was the revenue?", "hey, what year was it?"),
    ("what is the question?",),
)

TRUTH_PREFACE = Rule(
    "is it true that",
    r"^(?:is it (?:true|correct|the case) that|true or false[:,]?|is the following (?:true|correct)[:,]?"
    r"|whether|check (?:whether|if)|verify (?:whether|that|if)|confirm (?:whether|that|if)|tell me (?:whether|if))\s+",
    "yes_no",
    ("is it true that the light was automated in 1987?", "whether the merger closed in 2019",
     "true or false: the report mentions a fine"),
)

# --- intents, in order --------------------------------------------------------------------
INTENT_RULES: tuple[Rule, ...] = (
    Rule("summary",
         r"\bsummar(?:y|ies|ise|ize|ised|ized|ising|izing)\b|\boverview\b|\bgist\b|\btl;?dr\b|\brecap\b"
         r"|\b(?:main|key|central|principal) (?:points?|ideas?|themes?|findings?|takeaways?|arguments?|topics?)\b"
         r"|\bwhat (?:is|are|was) (?:this|the) (?:\w+ ){0,2}(?:about|covering)\b"
         r"|\bwhat does (?:this|the) (?:\w+ ){0,2}(?:cover|discuss|deal with|talk about)\b",
         "summary",
         ("summarise chapter 2", "what is this document about?", "give me an overview of the report",
          "what are the main points of the paper?", "what does the manual cover?"),
         ("what is the key code for x?",)),
    Rule("top_k",
         r"\b(?:most|least) (?:common|commonly|frequent|frequently|often|used|repeated|recurring|popular|occurring)\b"
         r"(?=.*\b(?:words?|terms?|tokens?|entries|entry|items?|names?|appear|occur|repeated|recur|list|text|document|used)\b)"
         r"|\b(?:words?|terms?|tokens?|entries|items?) (?:that |which )?(?:appear|occur|come up|show up|recur|"
         r"are used|are repeated|is used|is repeated)\w* (?:the )?most\b"
         r"|\btop \w+ (?:words?|terms?|tokens?|entries|items?)\b|\bhighest (?:frequency|count)\b",
         "top_k",
         ("what are the ten most common words in the list?", "which 3 words appear most often?",
          "name the most frequently used word", "list the top five terms by frequency",
          "which words come up the most?"),
         ("what is the most common cause of failure?",)),
    Rule("count",
         r"\bhow many times\b|\bhow often\b|\bnumber of (?:times|occurrences|mentions|appearances)\b"
         r"|^(?:count|tally)\b|\b(?:count|tally) (?:how|the (?:number|occurrences|mentions))\b"
         r"|\bhow many (?:\w+ ){0,2}?(?:pages|chapters|sections|tables|figures|footnotes|references|appendices|"
         r"paragraphs|lines|words|mentions|occurrences|exhibits|articles|clauses)\b(?!\s+(?:of|did|does|do|were|was) (?!the (?:document|text|report|book|manual)))"
         r"|\bhow many (?:\w+ ){0,3}(?:are there|appear|occur) in (?:the|this) (?:document|text|report|list|book|manual)\b",
         "count",
         ("how many times does 'river' appear?", "how often is the auditor mentioned?",
          "how many chapters does the report have?", "count the mentions of acme",
          "what is the number of occurrences of 'fox'?"),
         ("how many steps does the climb take?", "how many employees did the company have in 2020?")),
    Rule("chain",
         r"\bend(?:s|ed)? up (?:holding|with|as|having|carrying|containing|storing|being|equal)\b"
         r"|\b(?:ultimately|eventually|finally) (?:hold|holds|carry|carries|contain|contains|store|stores|get|gets|equal|equals)\b"
         r"|\b(?:originally|ultimately) (?:come|comes|came|derive|derives|derived|from)\b"
         r"|\btrace\b|\bchain of\b|\b(?:same value as|whatever \w+ holds)\b"
         r"|\bassigned (?:the )?(?:value|number)\b|\b(?:hold|holds|carry|carries|contain|contains|store|stores|receive|"
         r"receives|inherit|inherits|share|shares|get|gets) (?:the )?(?:same )?(?:value|number)\b"
         r"|\bwhat (?:value|number) (?:does|do|did) \S+ (?:\w+ )?(?:hold|carry|contain|store|end|get|receive|have)\b",
         "chain",
         ("which variables end up holding 12345?", "find all variables that are assigned the value 4821",
          "which registers carry the value that r1 was loaded with?", "what value does z end up holding?",
          "where does z's value originally come from?"),
         ("what do a, b and c carry?",)),
)

# relative clauses and role-of-name phrases mark a bridge through an unnamed entity
BRIDGE_RELATIVE = Rule(
    "relative clause",
    # not "what is the number that ...": there the clause restricts what is asked, nothing is bridged
    r"^(?!(?:what|which) (?:is|are|was|were) the \w+(?: \w+)? (?:that|which)\b)(?:.*?)"
    r"(?:\b(?:the|a|an|this|that)\s+(?:[\w'’-]+\s+){0,4}?(?:who|whom|whose|that|which)\s+(?!is\b|are\b|or\b)[\w'’-]+"
    r"|\b(?:the|a|an)\s+(?:[\w'’-]+\s+){0,3}?(?:where|when)\s+\w+\s+\w+)",
    "bridge",
    ("what position did the woman who played corliss archer hold?",
     "which band, formed in 1990, released the album that topped the chart?"),
    ("what is the number that appears first?",),
)

# --- answer types, in order (after the intent fixes some) ---------------------------------
ANSWER_TYPE_RULES: tuple[Rule, ...] = (
    Rule("explanation",
         r"^(?:why|how)\b(?!\s+(?:many|much|long|old|far|often|big|large|tall|high|deep|wide|fast|soon|late|early|"
         r"frequently|heavy|tall|small|short)\b)|\bwhy\b|\b(?:explain|describe|elaborate)\b|\bin what way\b"
         r"|\bfor what reason\b|\bwhat (?:led|leads|caused|causes) (?:to|the)\b|\bwhat (?:was|is|were|are) the (?:reasons?|"
         r"purpose|rationale|motivation|significance|impact|effect|consequences?) (?:of|for|behind)\b",
         "sentence",
         ("why did the company restate its results?", "how does the cooling loop work?",
          "explain the change in margin", "what was the reason for the delay?"),
         ("how many steps are there?", "how much did it cost?")),
    Rule("time",
         r"^when\b|\bwhen (?:was|were|did|does|do|is|will|had|has)\b|\b(?:what|which) (?:\w+ )?(?:year|date|day|month|"
         r"decade|century|time|period|season|quarter)\b|\bin what (?:\w+ )?(?:year|month|decade|century)\b"
         r"|\bsince when\b|\bwhat time\b|\bhow long ago\b|\bthe (?:year|date|day|month) (?:of|when|in which)\b",
         "date",
         ("when was the light automated?", "in what year did it open?", "what date was the merger announced?",
          "which month had the highest sales?"),
         ("what is the date format code?",)),
    Rule("quantity",
         r"\bhow (?:many|much|long|old|far|big|large|tall|high|deep|wide|fast|heavy|often)\b"
         r"|\bwhat (?:is |was |were |are )?(?:the )?(?:percentage|percent|proportion|fraction|ratio|amount|sum|total|"
         r"price|cost|rate)\b",
         "number",
         ("how many steps does the climb take?", "how much did the company spend?", "what percentage of sales?",
          "what was the total revenue?"),
         ("how did it end?",)),
    Rule("who", r"^(?:who|whom|whose)\b|\b(?:who|whom) (?:is|was|were|are|did|does|wrote|founded|directed)\b", "person",
         ("who wrote the manual?", "whom did the board appoint?", "whose signature is on it?")),
    Rule("where", r"^where\b|\bwhere (?:is|was|were|are|did|does|do)\b", "place",
         ("where is the headquarters?", "where was she born?")),
)

# --- the head noun of "what/which ...", "the ... of", imperatives ----------------------------
# After one of these openers, the next noun phrase (up to a preposition, verb or punctuation)
# names what is asked; its last word types the answer (lexicon.HEAD_NOUN_TYPES).
HEAD_OPENERS = (
    r"^(?:what|which)\s+(?:(?:is|are|was|were|'s)\s+)?(?:(?:the|a|an|all(?: of)?(?: the)?|each|every)\s+)?",
    r"^(?:list|name|give(?: me)?|find|show(?: me)?|identify|provide|state|report|tell me|get|return|retrieve|"
    r"extract|enumerate|print|output|recall|fetch|look up)\s+(?:(?:all|every|each|both)(?: of)?\s+)?"
    r"(?:(?:the|a|an|any|its|their)\s+)?",
    r"^(?:in|from|at|for|by|to|on|with)\s+(?:what|which)\s+",
)
HEAD_STOP = re.compile(
    r"^(?:of|for|in|on|at|by|to|from|with|about|under|over|between|into|during|after|before|than|that|which|who|"
    r"whom|whose|where|when|do|does|did|is|are|was|were|has|have|had|can|could|will|would|should|may|might|must|"
    r"and|or|but|as|per|if|mentioned|listed|given|stated|reported|shown|described|used|associated|linked|tied|"
    r"related|connected|attached|assigned|paired|belonging|appearing)$"
)
