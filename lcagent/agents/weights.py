"""Every hand-set weight and threshold of retrieval and reading, in one place, each with why.

Change one here and the bench tells what it did; none is written anywhere else.
"""

# --- evidence coverage ------------------------------------------------------------------------
# Share of the question's idf weight the best sentence must cover before the strategies stop
# looking (no model call is spent planning when the seeded evidence already covers it).
CONFIDENT_COVERAGE = 0.6
# A run-on "sentence" (a table of contents, a list) matches many terms by length alone: its
# score is damped by sqrt(LONG_SENTENCE_WORDS / words) beyond this length.
LONG_SENTENCE_WORDS = 30
# Weight of an entity followed in a chain or bridge, relative to an idf weight of the question.
FOLLOWED_ENTITY = 0.8
BRIDGE_RANK = 0.5         # a bridge entity named by the k-th best first-hop sentence: its answer's score / (1 + this x k)
# A term worth following appears in at most this share of the chunks (or in 3, if more).
RARE_SHARE = 0.2

# --- pages ---------------------------------------------------------------------------------
# A sentence's score is multiplied by 1 + PAGE_PRIOR x (its page's retrieval score, 0-1).
PAGE_PRIOR = 0.5
PAGE_RRF_K = 20           # reciprocal-rank constant when search lists vote for pages
TABLE_VOTE = 0.08         # a page whose table rows or title match the question gains this much (x match 0-1)
TITLE_HINT_VOTE = 0.5     # ... and this much when a hint names its table ("answer from the cash flow statement")
WHOLE_PAGES = 3           # the best pages go to the reader whole (their tables and headings too)
MAX_WHOLE_PAGE_CHARS = 8000
TABLE_ANSWER = 0.45       # a table cell answers a number question when its row and column match this well

# --- candidate spans --------------------------------------------------------------------------
TYPE_MATCH = 2.0          # the candidate is of the answer type the plan asks for
TYPE_OTHER = 0.3          # a typed token of another type
NAME_OTHER = 0.5          # a name when the plan does not ask for one
AFTER_QUESTION_WORDS = 0.25  # answers tend to follow the words that ask for them ("... is: 4471932")
# ... and, within a sentence that holds several of the asked type, the word that names the asked
# relation, in the same clause: "built in 1824 and automated in 1963" answers "when was it
# automated?" with 1963, the value after "automated" with no "and"/"but"/";" between.
AFTER_RELATION = 0.35  # more than CLOSE_CANDIDATES: the clause decides, not a model call
# A value written straight after its key ("amber-fox: 4471932", "R2 is 88") is the key's own, however
# many other figures the sentence runs on with ("... (reference value) In 1628 the ...").
KEY_VALUE = 0.35  # more than CLOSE_CANDIDATES
# A sentence opening with a pronoun ("Its last keeper, ...") is about what the sentence before it
# named: it carries that sentence's subject words at this share of their weight.
CARRY_OVER = 0.8
# A capitalised word the same sentence also writes in lower case ("Light" in a heading, "the
# light" after it) is a common noun, not a name.
COMMON_WORD = 0.6
BESIDE_UNIT = 3.0         # a number right beside the unit asked for ("219 steps")
LONE_OPENER = 0.75        # a single capitalised word opening a sentence is often just a word
SUBJECT_OF_SENTENCE = 0.5  # "who did X" is answered by the subject of "Name did X"
ONE_WORD_PERSON = 0.5     # "Principal" (of "Principal Financial Officer") is rarely the person asked for
PHRASE_BASE = 0.5         # free-form runs: closeness to the question's words
PHRASE_LENGTH = 0.05      # ... and a little for length (up to 8 words)
SENTENCE_MATCH = 2.0      # a candidate's sentence score (relative to the best) adds this much
CLOSE_CANDIDATES = 0.3    # candidates within this score of the best go to the model to choose

# --- plural answers -------------------------------------------------------------------------
NEAR_BEST = 0.75          # sentences scoring at least this share of the best carry a plural answer

# --- abstention -------------------------------------------------------------------------------
# Below this confidence the answer is "not found in the document" with the closest pages.
MIN_CONFIDENCE = 0.35
# Confidence is multiplied by this when a subject the question names is missing from the
# sentences that support the answer (it may be stated in a heading or table title instead).
SUBJECT_MISSING = 0.5
SUBJECT_ON_PAGE = 0.8
# A document is about a subject named in its title or first pages, or in this share of its chunks.
FIRST_PAGES = 3
PROMINENT_SHARE = 0.1
