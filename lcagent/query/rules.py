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
    r"^(?:(?:quick|simple|short|one|another|follow-?up|last|next)\s+(?:question|one|q)|question\.?|q\.|q|tell me again"
    r"|hey(?: there)?|hi|hello!?|ok(?:ay)?|so|well|also|and|please|just wondering|i(?:'m| am) (?:wondering|curious)"
    r"|i(?:'m| am) (?:after|looking for|interested in|trying to (?:figure|find|work) out|trying to (?:find|learn|understand))"
    r"|i wonder|i(?:'d| would) like to know|i want(?: to know)?|i need(?: to know)?|help me (?:find|out)"
    r"|(?:can|could|would|will) you(?: please)?(?: tell me| let me know| check| find out)?|do you know"
    # a request, not a yes/no question: "could I get the UUID ...", "if it's not too much trouble, ..."
    r"|(?:can|could|may) (?:i|we)(?: please)?(?= (?:get|have|grab|see)\b)|(?:can|could|may) i ask you to"
    r"|(?:can|could|would) (?:someone|somebody|anyone|anybody)(?: please)?"
    r"|when(?:ever)? you (?:get|have) (?:a|the) (?:chance|moment|minute|sec|second)|sorry to (?:bother|trouble) you"
    r"|i(?:'d| would) like(?= (?:the|a|an|all|every|each|to)\b|\s+\S+['’]s\b)"
    r"|if (?:it(?:'s| is) not too much trouble|you (?:can|could|don't mind|do not mind)|possible)"
    r"|(?:please )?tell me|let me know|based on (?:the|this) \w+|according to (?:the|this) \w+"
    r"|from (?:the|this) \w+|in (?:the|this) (?:document|text|report|file|manual|paper|book|article)"
    r"|[a-z][a-z'’]*(?:,?\s+[a-z][a-z'’]*){0,5}(?=:\s+(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|"
    r"do|does|did|can|could|has|have|had)\b))"
    r"(?=[\s,:;!-])[\s,:;!-]*",
    "",
    ("quick question: who wrote it?", "q. who wrote it?", "tell me again: were they both american?", "could you tell me who wrote it?",
     "according to the report, what was the revenue?", "hey, what year was it?"),
    ("what is the question?",),
)

TRUTH_PREFACE = Rule(
    "is it true that",
    r"^(?:is it (?:true|correct|the case) that|true or false[:,]?|is the following (?:true|correct)[:,]?"
    r"|whether|if(?!.*,\s*(?:which|what|who|where|when|how)\b)(?! (?:it(?:'s| is) not too much trouble|you (?:can|could|don't mind"
    r"|do not mind)|possible)\b)|check (?:whether|if)|verify (?:whether|that|if)|confirm (?:whether|that|if)|tell me (?:whether|if))\s+",
    "yes_no",
    ("is it true that the light was automated in 1987?", "whether the merger closed in 2019",
     "true or false: the report mentions a fine"),
)

# --- intents, in order --------------------------------------------------------------------
INTENT_RULES: tuple[Rule, ...] = (
    Rule("summary",
         r"\bsummar(?:y|ies|ise|ize|ised|ized|ising|izing)\b|\boverview\b|\bgist\b|\btl;?dr\b|\brecap\b"
         r"|\bsynops[ie]s\b|\bsum (?:it |this |that )?up\b|\bin a nutshell\b|\bbrief(?:ly)? (?:me )?(?:on|about)\b"
         r"|\bpr[ée]cis\b|\brundown\b|\bbreak (?:it |this )?down\b|\bboil\b.*\bdown\b|\bcondense\b|\bupshot\b"
         r"|\belevator pitch\b|\bbird'?s[- ]eye\b|\bbig picture\b|\bbullet points\b|\bdraft an abstract\b"
         r"|\bwhat ground does\b|\bheadline (?:messages?|points?|findings?)\b|\bwhat(?: is|'s) in it\b"
         r"|\bwhat happens in (?:chapter|part|section|act|book|episode)\b"
         r"|\b(?:overall|general) (?:structure|contents?|shape|story|plot)\b|\bstory of (?:this|the) (?:novel|book|film)\b"
         r"|\b(?:explain|describe) what (?:this|the) \w+(?: \w+)? (?:does|is|says|covers)\b"
         r"|\bwhat does (?:this|the) (?:\w+ ){0,2}(?:do|say)\b(?:,? (?:broadly|overall|in (?:plain|simple|short) (?:words|terms)))?\s*[?.]?$"
         r"|\b(?:main|key|central|principal|overall) (?:points?|ideas?|themes?|findings?|takeaways?|arguments?|topics?|"
         r"conclusions?|messages?|thesis|claims?)\b"
         r"|^what (?:is|are|was|were) (?:(?:this|the|that) )?(?:\w+ ){0,2}(?:about|covering)\b(?! the (?:\w+ )?(?:of|for)\b)"
         r"|\bwhat (?:topics|subjects|areas) (?:does|do|did) (?:this|the) (?:\w+ ){0,2}(?:cover|discuss|address)\b"
         r"|\bwhat does (?:this|the) (?:\w+ ){0,2}(?:cover|discuss|deal with|talk about|explain)\b"
         # a part, or the whole, asked about as a whole: "what is section 4 of the agreement about?",
         # "what the paper concludes overall", "what it covers", "the storyline", "highlights of section 2"
         r"|^what (?:is|are|was|were) (?:(?:this|the|that) )?(?:chapter|section|part|item|appendix|article|clause|schedule) "
         r"[\w.]+ (?:of (?:the|this) \w+ )?about\b"
         r"|\bwhat (?:it|this|the \w+) (?:covers|is about|concludes|says)(?: overall| in short| broadly)?\s*[?.]?$"
         r"|\bwhat (?:does|did) (?:this|the) (?:[\w&]+ ){0,2}(?:say|conclude)\b,? (?:in (?:short|brief|sum)|overall|broadly)\b"
         r"|\b(?:storyline|plot) of (?:this|the)\b|\bhighlights of\b|\bwalk me through what\b|\bsays overall\b",
         "summary",
         ("summarise chapter 2", "what is this document about?", "give me an overview of the report",
          "what are the main points of the paper?", "what does the manual cover?", "what is section 4 of the lease about?",
          "tell me what the paper concludes overall", "what does the md&a section say, in short?"),
         ("what is the key code for x?",)),
    Rule("top_k",
         # a frequency cue ...
         r"(?=.*(?:(?<![\w-])(?:most|least)\s+(?:\w+\s+)?(?:common|commonly|frequent|frequently|often|used|repeated|recurring|"
         r"popular|occurring|requested|mentioned|cited)\b|\bcommonest\b|\bhighest (?:counts?|frequenc\w*)\b"
         r"|\bby (?:frequency|count|occurrences)\b|\bword frequenc\w*"
         r"|\b(?:more|oftener|more often) than (?:any other|all (?:the )?others)\b|\bthe (?:greatest|largest|highest|biggest) number of times\b"
         r"|(?:^|\bthe )top(?:-ranked)? (?:word|term|entry|item|token)\b|\bby how often\b"
         r"|\bwith the (?:biggest|highest|largest|greatest|most) (?:totals?|counts?|frequenc\w*|occurrences|tallies)\b"
         r"|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty) (?:leaders|front-?runners)\b"
         r"|\b(?:up|appear\w*|occur\w*|recur\w*|used|repeat\w*|requested|mentioned|cited) (?:the )?most(?![\w-])"
         r"|\bmost-(?:used|common|frequent|repeated|cited)\b"
         r"|(?<![\w-])the most\s*[?.!]?$|(?<![\w-])most[?.!]?\s*$|\btop (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred) (?:\w+ )?by\b|\bwhat are the top \w+\b|\bfrequency:))"
         # ... about the text's own items, not a stated fact ("the most common cause of failure")
         r"(?=.*\b(?:words?|terms?|tokens?|entries|entry|items?|ip addresses|ip address|usernames?|hostnames?|error codes?|"
         r"codes|lines?|appear\w*|occur\w*|repeated|recur\w*|come up|comes up|show up|list|log|text|frequenc\w*|top \w+|"
         r"trace|transcript|called|strings?|entries)\b)"
         # or a count of each item, then the first few of that ranking: "count how many times each
         # token shows up and tell me the leading ten", "rank the entries by how many times they occur"
         r"|(?=.*\b(?:rank|ranked|ranking|each (?:one|word|token|entry|item|term|string)|by how (?:many times|often))\b)"
         r"(?=.*\b(?:(?:first|top|leading|highest|biggest)\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty)"
         r"|which (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty) \w+ (?:lead|top|dominate|win))\b)",
         "top_k",
         ("what are the ten most common words in the list?", "which 3 words appear most often?",
          "name the most frequently used word", "list the top five terms by frequency",
          "which words come up the most?", "what's the commonest word in the list?", "top word in the transcript?",
          "which 9 words come up more than all others?", "which function is called most often in the trace?",
          "rank the entries by how many times they occur and give me the first 10",
          "which hostname is requested most frequently in the proxy log?"),
         ("what is the most common cause of failure?", "who was the top pick by the rangers in 2010?")),
    Rule("count",
         r"\bhow many times\b|\bhow often\b|\bnumber of (?:times|occurrences|mentions|appearances)\b"
         r"|^(?:count|tally)\b|\b(?:count|tally) (?:how|the (?:number|occurrences|mentions))\b"
         r"|\bhow many (?:\w+ ){0,2}?(?:pages|chapters|sections|tables|figures|footnotes|references|appendices|"
         r"paragraphs|lines|words|mentions|occurrences|exhibits|articles|clauses|entries|items|rows|columns|notes|"
         r"bullet points|headings)\b(?=.*\b(?:have|has|contain|contains|include|includes|are there|is there|list|lists|"
         r"hold|holds|consist|mention|mentions|mentioned|appear|appears|occur|occurs|cite|cites|refer|refers)\b|\s*\??$)"
         r"|\bhow many (?:\w+ ){0,3}(?:are there|appear|occur|are|is) in (?:the|this) (?:document|text|report|list|book|manual|"
         r"file|log|memo|paper|chapter|section)\b"
         r"|\bhow many (?:\w+ ){0,3}(?:does|do|did) (?:the|this) (?:document|text|report|list|book|manual|file|log|memo|paper|"
         r"chapter|section|article|agreement|contract|filing|novel|specification|spec|essay|letter|policy|page) "
         r"(?:name|mention|list|cite|contain|have|include|reference|describe|give)\b"
         r"|\bhow many (?:mentions|references|citations|occurrences) (?:does|do|did) \S+"
         # counted over the text's own things: "how many distinct services are defined", "how many
         # exhibits are attached", "how many footnotes are in part two", "in how many places", "how frequently"
         r"|\bhow many (?:distinct|unique|different|separate)\b|\bin how many (?:places|sections|pages|chapters)\b"
         r"|\bhow frequently\b"
         r"|\bhow many (?:\w+ ){0,2}?(?:pages|chapters|sections|tables|figures|footnotes|references|appendices|paragraphs|"
         r"lines|words|mentions|occurrences|exhibits|articles|clauses|entries|items|rows|columns|schedules|annexes) "
         r"(?:are|is|were) (?:attached|defined|listed|included|given|in|recorded)\b"
         r"|\b(?:total )?number of (?:\w+ ){0,2}(?:in|within) (?:the|this) (?:document|text|report|list|book|manual|file|"
         r"log|memo|paper|chapter|section)\b",
         "count",
         ("how many times does 'river' appear?", "how often is the auditor mentioned?",
          "how many chapters does the report have?", "count the mentions of acme",
          "what is the number of occurrences of 'fox'?", "how many distinct services are defined in the file?",
          "how many footnotes are in part two?"),
         ("how many steps does the climb take?", "how many employees did the company have in 2020?")),
    Rule("chain",
         r"(?=.*\b(?:variables?|vars?|registers?|values?|numbers?|copied|cop(?:y|ies)|assign\w*|constants?|cells?|names?|"
         r"holds?|equal|feeds?|flows?|propagat\w*|passed|handing|source)\b)"
         r"(?:.*\b(?:in the end|at the end|eventually|ultimately|originally|at the root|the root|source (?:variable|of)|"
         r"original source|propagated|copied (?:along|into|from)|cop(?:y|ies) of (?:a )?cop(?:y|ies)|flows? into|passed on|"
         r"handing values|(?:directly|indirectly) or|through (?:other|another|every|each|all)|via another|"
         r"follow \S+ backwards?|track (?:the )?(?:number|value)|after (?:all|every) (?:the )?(?:assignments|copies|copy)|"
         r"after every copy|feeds \S+ in the end|where (?:does|did) (?:its|the) value|whatever .{1,30}(?:held|holds|had)|"
         r"start of (?:that|the) chain)\b"
         r"|.*\bfrom the number \d+\b.*\bcop(?:y|ied)\b|.*\bwhat number is stored in \S+, ultimately\b"
         r"|.*\bwhat(?:'s| is) the source (?:variable )?of\b)"
         r"|\bend(?:s|ed)? up (?:holding|with|as|having|carrying|containing|storing|being|equal)\b"
         r"|\b(?:ultimately|eventually|finally) (?:hold|holds|carry|carries|contain|contains|store|stores|get|gets|equal|equals)\b"
         r"|\b(?:originally|ultimately) (?:come|comes|came|derive|derives|derived|from)\b"
         r"|\btrace\b|\bchain of\b|\b(?:same value as|whatever \w+ holds)\b|\bfollow (?:the )?(?:value|number|chain)\b"
         r"|\b(?:hold|holds|have|has|carry|carries|contain|contains) (?:it|that value|this value) in the end\b"
         r"|\bcop(?:y|ies) of \S+.*\b(?:directly|indirectly|through)\b|\b(?:get|gets|got|take|takes|took) (?:its|their) value from\b"
         r"|\bassigned (?:the )?(?:value|number)\b|\b(?:hold|holds|carry|carries|contain|contains|store|stores|receive|"
         r"receives|inherit|inherits|share|shares|get|gets) (?:the )?(?:same )?(?:value|number)\b"
         r"|\bwhat (?:value|number) (?:does|do|did) (?!(?:it|they|this|that|he|she)\b)\S+ (?:\w+ )?"
         r"(?:hold|carry|contain|store|end|get|receive|have)\b"
         # the value is the key: "which registers are loaded with 4471?", "what names hold 88?"
         r"|\bholders? of \d[\d,.]*(?![\w.])"
         # a value or a name moving along copies: "where does 39917 propagate to?", "which registers does
         # its value get moved into?", "where did R14's value first come from?"
         r"|\bpropagat\w* (?:to|into)\b|\b(?:get|gets|got|is|was) (?:moved|copied|passed|assigned) (?:into|to)\b"
         r"|\bvalue (?:first )?(?:come|comes|came) from\b|\bcop(?:y|ies) its value from\b"
         r"|(?:^|,\s*)(?:which|what)\s+(?:of (?:the )?)?(?:\w+\s+)?(?:variables?|vars?|registers?|names?|cells?|counters?|slots?|"
         r"fields?|constants?|symbols?)\b.*\b(?:assigned|loaded with|set to|hold|holds|held|equal|equals|contain|contains|"
         r"store|stores|get|gets|receive|receives|carry|carries|have|has)\s+(?:the (?:value|number) )?\d[\d,.]*(?![\w.])",
         "chain",
         ("which variables end up holding 12345?", "find all variables that are assigned the value 4821",
          "which registers are loaded with 4471?", "which of the counters were set to 315?",
          "which registers carry the value that r1 was loaded with?", "what value does z end up holding?",
          "where does z's value originally come from?", "holders of 5120?",
          "when the assignments are over, which names contain 901?", "where does 39917 propagate to?",
          "where did r14's value first come from?"),
         ("what do a, b and c carry?",)),
)

# relative clauses and role-of-name phrases mark a bridge through an unnamed entity
BRIDGE_RELATIVE = Rule(
    "relative clause",
    # not "what is the number that ...": there the clause restricts what is asked, nothing is bridged
    r"^(?!(?:what|which) (?:is|are|was|were) the \w+(?: \w+)? (?:that|which)\b)(?:.*?)"
    r"(?:\b(?:the|a|an|this|that)\s+(?:[\w'’-]+\s+){0,4}?(?<!\bon )(?<!\bin )(?<!\bat )(?<!\bby )(?<!\bfor )(?<!\bfrom )"
    r"(?<!\bto )(?<!\bwith )(?<!\bduring )(?:who|whom|whose|that|which)\s+(?!or\b)[\w'’-]+"
    r"|\b(?:the|a|an)\s+(?:[\w'’-]+\s+){0,3}?(?:where|when)\s+\w+\s+\w+)",
    "bridge",
    ("what position did the woman who played corliss archer hold?",
     "which band, formed in 1990, released the album that topped the chart?"),
    ("what is the number that appears first?", "show me all the dates on which the commission met"),
)

# --- answer types, in order (after the intent fixes some) ---------------------------------
ANSWER_TYPE_RULES: tuple[Rule, ...] = (
    Rule("explanation",
         r"^(?:why|how)\b(?!\s+(?:many|much|long|old|far|often|big|large|tall|high|deep|wide|fast|soon|late|early|"
         r"frequently|heavy|tall|small|short)\b)|\bwhy\b|\b(?:explain|describe|elaborate)\b|\bin what way\b"
         r"|\bfor what reason\b|\bwhat (?:led|leads|caused|causes) (?:to|the)\b|\bwhat (?:was|is|were|are) the (?:reasons?|"
         r"purpose|rationale|motivation) (?:of|for|behind)\b",
         "sentence",
         ("why did the company restate its results?", "how does the cooling loop work?",
          "explain the change in margin", "what was the reason for the delay?"),
         ("how many steps are there?", "how much did it cost?")),
    Rule("time",
         r"^when\b|\bwhen (?:was|were|did|does|do|is|will|had|has)\b|\b(?:what|which) (?:\w+ )?(?:year|date|day|month|"
         r"decade|century|time|period|season|quarter)\b|\bin what (?:\w+ )?(?:year|month|decade|century)\b"
         r"|\bsince when\b|\bwhat time\b|\bhow long ago\b|\bthe (?:year|date|day|month) (?:of|when|in which)\b"
         r"|\bwhen\s*\??$",  # "... came out when?"
         "date",
         ("when was the light automated?", "in what year did it open?", "what date was the merger announced?",
          "which month had the highest sales?"),
         ("what is the date format code?",)),
    Rule("quantity",
         r"\bhow (?:many|much|long|old|far|big|large|tall|high|deep|wide|fast|heavy|often)\b"
         r"|\bwhat (?:is |was |were |are )?(?:the )?(?:percentage|percent|proportion|fraction|ratio|amount|sum|total|"
         r"price|cost|rate)\b"
         r"|\bwhat (?:did|does|do|will) .+ (?:spend|pay|earn|cost|raise|borrow|owe|invest|charge|lose|make|weigh|measure)\b",
         "number",
         ("how many steps does the climb take?", "how much did the company spend?", "what percentage of sales?",
          "what was the total revenue?"),
         ("how did it end?",)),
    Rule("who", r"^(?:[^,?]{1,40},\s*)?(?:who|whom|whose)\b|\b(?:by|to|with|for|from) (?:who|whom)\b|\bwho\??$"
                r"|\b(?:compare|know|tell|find out|say|ask|see|check|guess) (?:me )?(?:who|whom)\b", "person",
         ("who wrote the manual?", "whom did the board appoint?", "whose signature is on it?",
          "since march 2019, who has chaired the trust?",
          "the boy group was formed by who?", "compare who directed a and b"),
         ("which label released the album of the singer who wrote it?",)),
    Rule("where", r"^(?:[^,?]{1,40},\s*)?where\b|\bwhere (?:is|was|were|are|did|does|do)\b|\bwhere\s*\??$", "place",
         ("where is the headquarters?", "where was she born?", "the firm is headquartered where?")),
)

# --- the head noun of "what/which ...", "the ... of", imperatives ----------------------------
# After one of these openers, the next noun phrase (up to a preposition, verb or punctuation)
# names what is asked; its last word types the answer (lexicon.HEAD_NOUN_TYPES).
HEAD_OPENERS = (
    r"^(?:what|which)(?:\s+(?:is|are|was|were)|['’]s)?\s+(?:(?:the|a|an|all(?: of)?(?: the)?|each|every)\s+)?",
    r"^(?:list|name|give(?: me)?|find|show(?: me)?|identify|provide|state|report|tell me|get|return|retrieve|"
    r"extract|enumerate|print|output|recall|fetch|look up|grab|round up|dig out|pull out|send|share|have|see)\s+"
    r"(?:me\s+)?(?:(?:all|every|each|both)(?: of)?\s+)?"
    r"(?:(?:the|a|an|any|its|their)\s+)?",
    r"^(?:in|from|at|for|by|to|on|with)\s+(?:what|which)\s+",
    r"^(?:who|whom)\s+(?:is|are|was|were)\s+(?:the|its|their)\s+",  # "who were the auditors of ..."
)
HEAD_STOP = re.compile(
    r"^(?:of|for|in|on|at|by|to|from|with|about|under|over|between|into|during|after|before|than|that|which|who|"
    r"whom|whose|where|when|do|does|did|is|are|was|were|has|have|had|can|could|will|would|should|may|might|must|"
    r"but|as|per|if|mentioned|listed|given|stated|reported|shown|described|used|associated|linked|tied|"
    r"related|connected|attached|assigned|paired|belonging|appearing)$"
)
