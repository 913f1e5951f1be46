"""The English word lists question understanding needs, in one place.

One stopword list for the whole package (search, evidence scoring, question analysis), the
words that ask rather than describe, number words, and the head nouns that fix an answer's
type ("which *city*" asks for a place, "what *amount*" for a number).
"""

from __future__ import annotations

# Words that open a sentence about what the previous sentence named ("Its last keeper, ...").
ANAPHORS = frozenset("it its he his him she her they their them this these that those such".split())

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our out over own same she should so some such than that the their
    them then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours""".split()
)

# Words that ask or point at the text rather than describe what is asked about: never searched for.
QUESTION_WORDS = frozenset(
    """what which who whom whose when where why how many much does did is are was were list find give tell
    name please answer question questions according mentioned provided text document documents passage
    passages above below given say says said state states stated show identify provide report describe
    explain kindly could would can me us let know like want need quick hey hi thanks thank look up
    look looking also again""".split()
)

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
    "half-dozen": 6, "half a dozen": 6, "a dozen": 12, "dozen": 12, "single": 1, "couple": 2, "pair": 2,
}

MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr jun jul aug sep sept oct nov dec").split()

# The head noun of "what/which <head>" or "the <head> of ..." → the answer type it asks for.
# A multi-word head ("special magic number") is typed by its last word.
HEAD_NOUN_TYPES: dict[str, str] = {}


def _heads(answer_type: str, words: str) -> None:
    for word in words.split():
        HEAD_NOUN_TYPES[word] = answer_type


_heads("date", "year years date dates day days month months decade decades century centuries period time era timeframe "
               "birthday anniversary deadline season quarter")
_heads("number", "number numbers digits amount amounts total totals sum count percentage percent share rate rates ratio "
                 "ratios price prices cost costs value values figure figures revenue revenues income expenditure "
                 "expenditures expense expenses spending capex profit profits loss losses margin margins sales "
                 "earnings eps dividend dividends debt assets liabilities equity cash budget salary salaries "
                 "population size height length width depth weight distance speed temperature age score scores "
                 "quantity balance capital valuation growth volume fee fees tax taxes wage wages pay payment "
                 "payments compensation headcount employees turnover yield interest inventory receivables "
                 "payables capacity duration port ports dosage dosages dose doses goodwill ebitda ebit depreciation "
                 "amortization amortisation expenditures outflow outflows inflow inflows proceeds borrowings "
                 "buybacks repurchases capex opex backlog bookings reserves provision provisions pressure pressures "
                 "timeout timeouts limit limits threshold thresholds quota quotas integer integers voltage frequency "
                 "bandwidth latency throughput")
_heads("person", "person people man woman men women author authors writer writers director directors actor actress "
                 "president ceo cfo founder founders chairman chairwoman chair owner leader leaders king queen "
                 "captain keeper player players singer composer artist painter poet scientist inventor husband "
                 "wife father mother son daughter brother sister child children officer auditor manager "
                 "executive executives coach politician senator governor minister emperor prince princess "
                 "presenter narrator character characters protagonist drummer guitarist bassist vocalist "
                 "frontman filmmaker physicist chemist economist historian philosopher journalist novelist lawyer judge "
                 "plaintiff defendant")
_heads("place", "place places city cities town towns country countries state states village island islands river "
                "rivers region regions continent location locations address capital headquarters venue county "
                "province street mountain lake airport station district districts neighborhood neighbourhood "
                "hometown birthplace")
_heads("organization", "company companies organization organisation organizations organisations firm firms agency "
                       "agencies bank banks university universities school schools team teams band bands club "
                       "clubs party parties publisher label studio network airline manufacturer brand brands "
                       "institution institutions government subsidiary subsidiaries competitor competitors "
                       "customer customers supplier suppliers employer newspaper magazine outlet outlets "
                       "regulator auditor broadcaster court courts tribunal")
_heads("identifier", "id ids uuid uuids guid guids code codes key keys identifier identifiers variable variables register "
                     "registers version versions password passwords passcode passcodes pin serial token tokens symbol "
                     "ticker isbn "
                     "reference handle username usernames hostname hostnames ip api url urls checksum checksums hash hashes "
                     "digest digests release releases build builds tag tags service services container containers "
                     "queue queues endpoint endpoints")
_heads("phrase", "position positions title titles role roles job jobs post occupation profession colour color genre "
                 "style nationality nickname religion breed species")
# ``capital`` is both a place ("the capital of France") and money ("capital expenditure"): the
# money sense only as a modifier, which typing by the last word of the head handles.
HEAD_NOUN_TYPES["capital"] = "place"

# The nouns a key's value is asked by ("the number for amber-fox", "the amber-fox code").
VALUE_NOUNS = ("number", "code", "value", "id", "uuid", "figure", "digits")

# Role nouns that name a person through a relation to something else ("the director of Film X"):
# a question asking something *about* that person needs a bridge through them.
PERSON_ROLES = frozenset(
    """director author writer founder creator composer singer producer wife husband father mother son daughter
    brother sister owner ceo president chairman manager coach captain star lead actor actress player
    inventor designer architect editor publisher presenter host spouse partner successor predecessor
    teacher student drummer guitarist bassist vocalist frontman member founder""".split()
)

# Units a document is made of, which a "how many ..." question can count.
DOCUMENT_UNITS = frozenset(
    """pages page chapters chapter sections section tables table figures figure footnotes references
    appendices appendix items entries lines paragraphs words mentions occurrences times exhibits
    parts articles clauses""".split()
)

# Currency and unit codes: they say how a figure is written, they are not what is asked about.
# Nationality and regional adjectives: before a noun ("an American actor", "Irish Fine Gael
# politician") they describe, they do not name what a question is about.
NATIONALITIES = frozenset("""
afghan albanian algerian american andorran angolan argentine argentinian armenian australian austrian azerbaijani
bahamian bahraini bangladeshi belarusian belgian belizean beninese bhutanese bolivian bosnian brazilian british
bruneian bulgarian burmese burundian cambodian cameroonian canadian chadian chilean chinese colombian congolese
croatian cuban cypriot czech danish dominican dutch ecuadorian egyptian emirati english eritrean estonian ethiopian
european fijian filipino finnish french gabonese gambian georgian german ghanaian greek guatemalan guinean haitian
honduran hungarian icelandic indian indonesian iranian iraqi irish israeli italian ivorian jamaican japanese
jordanian kazakh kenyan korean kuwaiti kyrgyz lao latvian lebanese liberian libyan lithuanian luxembourgish
macedonian malagasy malawian malaysian maldivian malian maltese mauritanian mauritian mexican moldovan monegasque
mongolian montenegrin moroccan mozambican namibian nepalese nepali nigerian nigerien norwegian omani pakistani
palestinian panamanian paraguayan persian peruvian polish portuguese qatari romanian russian rwandan salvadoran
samoan saudi scottish senegalese serbian sierra singaporean slovak slovenian somali spanish sudanese surinamese
swazi swedish swiss syrian taiwanese tajik tanzanian thai togolese tongan trinidadian tunisian turkish turkmen
ugandan ukrainian uruguayan uzbek venezuelan vietnamese welsh yemeni zambian zimbabwean
african asian latin arab hispanic caribbean scandinavian nordic balkan baltic slavic celtic anglo roman byzantine
ottoman soviet yugoslav prussian bavarian catalan basque flemish walloon sicilian venetian texan californian
""".split())

UNIT_CODES = frozenset(
    """USD EUR GBP JPY CNY RMB CAD AUD CHF INR HKD SGD KRW BRL MXN SEK NOK DKK US$ KM KG MB GB TB KB MW GW KWH
    MWH GWH BPS PCT""".split()
)

# Two-word heads whose type differs from their last word's ("serial number" is an identifier).
COMPOUND_TYPES = {
    "serial number": "identifier", "version number": "identifier", "phone number": "identifier",
    "account number": "identifier", "model number": "identifier", "part number": "identifier",
    "order number": "identifier", "case number": "identifier", "ticket number": "identifier",
    "reference number": "identifier", "registration number": "identifier", "patch level": "identifier",
    "file name": "identifier", "boiling point": "number", "melting point": "number", "ip address": "identifier",
    "email address": "identifier", "web address": "identifier", "mac address": "identifier",
    "hex address": "identifier", "memory address": "identifier", "base address": "identifier",
}

# Words that end the names of organisations: "Harlow Energy", "Meridian Trust", "Acme Corp".
ORGANIZATION_ENDINGS = frozenset(
    """inc inc. corp corp. corporation co co. company ltd ltd. llc plc group holdings bank trust energy partners
    capital industries international technologies systems labs laboratories university college institute
    foundation association agency authority commission council ministry department airlines motors
    pharmaceuticals media records studios estates foods motors shipping line lines logistics press sons brothers
    books publishing publishers cycles brewery works mills pictures films productions games software networks
    solutions services insurance airways railways""".split()
)

# Words that make an option or a name a place ("Lake Orvan", "Ferndale Abbey").
PLACE_WORDS = frozenset(
    """lake river mount mountain bay island abbey chapel church cathedral castle street road avenue park bridge tower
    station airport city town village county valley forest sea ocean harbour harbor port north south east west
    northern southern eastern western central emea apac latam americas""".split()
)

# Nouns for the parts of a document a question can be about ("Summarise the preface").
DOCUMENT_PARTS = frozenset(
    """preface introduction conclusion conclusions foreword epilogue prologue abstract discussion background
    methodology methods results acknowledgements appendix glossary""".split()
)

# Relational nouns: "the X of Name" names something through its relation to Name; a question
# asking something else about it bridges through it ("the auditor of Quarry Bay Foods was founded when?").
RELATIONAL_NOUNS = PERSON_ROLES | frozenset(
    """auditor parent maker manufacturer owner publisher label subsidiary distributor operator developer sponsor
    winner architect advisor adviser creator builder designer successor predecessor company headquarters
    birthplace hometown homeland employer""".split()
)

# Comparatives a "choose" question decides by a value: which value (the time of an event, or an
# amount) and which end wins. "Who died first, A or B?" -> the earlier death date.
COMPARATIVES: dict[str, tuple[str, str]] = {
    **{w: ("time", "min") for w in "first earlier earliest before sooner older oldest".split()},
    **{w: ("time", "max") for w in "later latest last younger youngest newer newest recent".split()},
    **{w: ("amount", "max") for w in "more most larger largest bigger biggest higher highest taller tallest "
                                      "longer longest greater greatest heavier heaviest".split()},
    **{w: ("amount", "min") for w in "fewer fewest less least smaller smallest shorter shortest lower lowest "
                                      "lighter lightest".split()},
}
# age comparisons are about when someone or something began
AGE_WORDS = frozenset("older oldest younger youngest newer newest".split())

# Words inside a person's name that are not capitalised words of their own ("Ludwig van Beethoven"),
# and capitalised words that mark a name as a thing's, not a person's ("Elections Act").
NAME_PARTICLES = frozenset("de da di del der van von la le bin ibn al mac st. jr. sr.".split())
NOT_PERSON_WORDS = frozenset("act trophy cup award prize championship league party war film album song".split())
