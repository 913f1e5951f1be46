"""A fourth table of wordings for the wording suite, written later by a hand that did not read
lcagent's question rules. Held out from tuning: measure with it, never fix rules after its misses.
Same tasks, placeholders and style marks as ``WORDINGS``; "reworded" is checked by the tests.
"""

from __future__ import annotations

from lcagent.bench.ruler.wording_tables import Wording, _w

WORDINGS_FOURTH: dict[str, tuple[Wording, ...]] = {
    "niah_single_1": (
        _w("hey_got_number", "hey, quick q: got the number for {key} handy?", "question", "terse"),
        _w("figure_do_you_have", "The figure for {key} — do you have it?", "question", "reworded"),
        _w("read_me_digits", "Hey assistant, read me out the digits stored for {key}.", "imperative", "reworded"),
        _w("search_seven_digit_num", "seven digit num {key}", "terse"),
        _w("ticket_code_on_file", "Support ticket from a customer: they say their account is tied to {key} "
                                  "but they can't recall the code on file. Which code is it?",
           "preface", "question", "reworded"),
        _w("filling_form", "Filling in a form that asks for it, so: what value is on record for {key}?",
           "preface", "question", "reworded"),
        _w("caps_boss_waiting", "BOSS IS WAITING ON THE {key} NUMBER — WHAT IS IT?", "question"),
        _w("manager_asking", "So I was reading through this whole thing last night, and somewhere in the "
                             "middle there was a line about {key}. I didn't write it down and now my "
                             "manager is asking. What was the number?", "preface", "question"),
    ),
    "niah_single_2": (
        _w("lower_digits_report", "hey, do you know which digits go with {key}? need them for the report",
           "question", "preface", "reworded"),
        _w("happen_to_know", "The {key} number: would you happen to know it?", "question", "polite"),
        _w("voice_which_code", "Okay, so which code did they give {key}?", "question", "reworded"),
        _w("search_key_value", "{key} value", "terse", "reworded"),
        _w("support_assigned", "Support request: a user wants the number that was assigned to {key}. "
                               "Please reply with it.", "preface", "imperative", "polite"),
        _w("blank_cell", "I'm reconciling two spreadsheets and one cell is blank — the figure for {key}. "
                         "What should go there?", "preface", "question", "reworded"),
        _w("caps_right_now", "URGENT: NUMBER FOR {key}, PLEASE, RIGHT NOW", "terse", "polite"),
        _w("migration_lost", "Bit of background: our team migrated everything to a new system last week, "
                             "and a few entries didn't survive the move. One of them was {key}. Could you "
                             "check what it was set to in here?", "preface", "polite", "question", "reworded"),
    ),
    "niah_single_3": (
        _w("lower_guid_deploy", "anyone know the guid for {key}? deploy is blocked on it",
           "question", "preface", "reworded"),
        _w("escalate_uuid", "Support ticket: a user reports an error for {key}. To escalate I need the UUID "
                            "recorded for it. What is it?", "preface", "question"),
        _w("read_identifier", "Read me the identifier for {key}, please.", "imperative", "polite", "reworded"),
        _w("search_key_uuid", "{key} uuid", "terse"),
        _w("id_can_you_find", "The ID for {key} — can you find it?", "question", "reworded"),
        _w("migration_script", "I'm writing a migration script and need the exact 36-character ID stored "
                               "for {key}. What is it?", "preface", "question", "reworded"),
        _w("caps_prod_down", "NEED THE UUID FOR {key} NOW — PROD IS DOWN", "terse", "preface"),
        _w("contractor_left", "We inherited this document from a contractor who left, and it's full of "
                              "identifiers with no index. Our billing service keeps rejecting requests for "
                              "{key} because we're sending the wrong one. Which UUID is actually listed for "
                              "it?", "preface", "question"),
    ),
    "niah_multikey_1": (
        _w("at_here_number", "@here does anyone have the number for {key}? the others don't matter",
           "question", "preface"),
        _w("digits_do_you_have", "The digits for {key} — do you have them?", "question", "reworded"),
        _w("voice_set_to", "Hey, tell me what {key} is set to.", "imperative", "reworded"),
        _w("search_num_lookup", "{key} num lookup", "terse"),
        _w("read_back", "Customer ticket: they gave us the name {key} and want the matching number read "
                        "back to them. What is it?", "preface", "question"),
        _w("enter_into_form", "I need to enter the code for {key} into the form, and only that one. "
                              "Which is it?", "preface", "question", "reworded"),
        _w("caps_value", "ASAP PLEASE — {key}, WHAT VALUE DOES IT HAVE?", "question", "polite", "reworded"),
        _w("auditing_mixups", "Here's my situation: I'm auditing this file, there are several entries that "
                              "look nearly identical, and I keep mixing them up. The one I actually care "
                              "about is {key}. What number does it have?", "preface", "question"),
    ),
    "niah_multikey_2": (
        _w("search_value_of", "value of {key}", "terse", "reworded"),
        _w("lower_thx", "quick one: which number is {key}'s? thx", "question", "terse"),
        _w("digits_stored_under", "What digits are stored under {key}?", "question", "reworded"),
        _w("label_only", "Support case: the client only knows the label {key}. Please look it up and "
                         "reply with the number it points to.", "preface", "imperative", "polite"),
        _w("under_key_appears", "Under {key}, which figure appears?", "question", "reworded"),
        _w("reconciliation_pull", "For my reconciliation report I need the number paired with {key} — "
                                  "can you pull it?", "preface", "question"),
        _w("caps_demo", "NUMBER FOR {key} — NEED IT FOR THE DEMO", "terse"),
        _w("hundreds_of_pairs", "There are hundreds of name/value pairs in this dump and most of them are "
                                "noise. I've been asked about exactly one: {key}. What value sits next to it?",
           "preface", "question", "reworded"),
    ),
    "niah_multikey_3": (
        _w("lower_lmk", "which uuid does {key} map to? lmk", "question", "terse"),
        _w("points_to", "Look up {key} and read back whatever ID it points to.", "imperative", "reworded"),
        _w("search_lookup", "{key} lookup", "terse", "reworded"),
        _w("id_do_you_have", "The ID that goes with {key} — do you have it?", "question", "reworded"),
        _w("logs_need", "Ticket: a request came in referencing {key}. Our logs need the UUID that is paired "
                        "with it in this document. What is it?", "preface", "question"),
        _w("joining_tables", "I'm joining two tables and this key has no match on my side: {key}. What "
                             "identifier does it correspond to here?", "preface", "question", "reworded"),
        _w("caps_mapped", "NEED THE UUID MAPPED FROM {key} RIGHT NOW", "terse"),
        _w("rotated_tokens", "Context: we rotate our service tokens every quarter and keep the old-to-new "
                             "pairs in files like this one. Somebody pinged me about an old token, {key}, "
                             "and I have to tell them which value it is paired with. What is it?",
           "preface", "question", "reworded"),
    ),
    "niah_multivalue": (
        _w("lower_more_than_one", "hey, can someone list all the numbers for {key}? i think there's more "
                                  "than one", "question", "preface"),
        _w("figures_all", "The figures for {key} — all of them, what are they?", "question", "reworded"),
        _w("read_every_value", "Read me every value stored for {key}.", "imperative", "reworded"),
        _w("search_all_values", "{key} all values", "terse", "reworded"),
        _w("only_see_one", "Support ticket: the user says {key} has multiple numbers attached but they can "
                           "only see one. Please list every one of them.", "preface", "imperative", "polite"),
        _w("complete_set", "I'm building a lookup table and need the complete set of codes for {key}, "
                           "not just the first. What are they?", "preface", "question", "reworded"),
        _w("caps_dont_miss", "ALL NUMBERS FOR {key} — DON'T MISS ANY", "terse", "imperative"),
        _w("names_show_up_twice", "Each entry in here seems to be attached to a name, and some names show "
                                  "up more than once with different figures. I'm interested in {key}. "
                                  "Give me every figure it has.", "preface", "imperative", "reworded"),
    ),
    "niah_multiquery": (
        _w("lower_grab", "can someone grab the numbers for {keys}? thanks", "question", "polite",
           coordination="slash"),
        _w("values_do_you_have", "The values for {keys} — do you have them?", "question", "reworded",
           coordination="oxford"),
        _w("voice_read_digits", "Okay, read out the digits that go with {keys}.", "imperative", "reworded", coordination="and"),
        _w("search_lookup_keys", "lookup {keys}", "terse", "reworded", coordination="semicolons"),
        _w("ticket_accounts", "Support ticket — the customer needs the number on file for each of these "
                              "accounts:{keys}", "preface", coordination="bullets"),
        _w("row_per_name", "I'm filling in a spreadsheet with one row per name. What goes in each row?{keys}",
           "preface", "question", "reworded", coordination="numbered"),
        _w("caps_end_of_day", "NEED NUMBERS FOR {keys} BY END OF DAY", "terse", coordination="plus"),
        _w("finance_inventory", "Some background: this file was exported from our old inventory system, "
                                "and each item name has a number next to it. Finance asked me to confirm "
                                "four of them: {keys}. What are their numbers?", "preface", "question",
           coordination="as_well_as"),
    ),
    "vt": (
        _w("lower_code_review", "which vars end up as {value} after all the copying? asking for a code review",
           "question", "preface", "reworded"),
        _w("value_first_holders", "{value} — which names hold it by the end?", "terse", "question", "reworded"),
        _w("voice_winds_up", "Tell me every register that winds up containing {value}.",
           "imperative", "reworded"),
        _w("search_equal_to", "variables equal to {value}", "terse"),
        _w("bug_leaking", "Bug report: the number {value} is leaking into places it shouldn't. Starting "
                          "from where it's first set and following every copy, which variables end up "
                          "with it?", "preface", "question"),
        _w("rename_refactor", "I need to rename everything that carries {value} before the refactor. Which "
                              "names are those, counting copies of copies?", "preface", "question", "reworded"),
        _w("caps_full_list", "WHICH VARIABLES HOLD {value}? NEED THE FULL LIST", "question"),
        _w("long_sequence", "I'm looking at a long sequence of statements where one name gets a number and "
                            "then other names copy from it, and from each other, scattered between a lot "
                            "of unrelated prose. The starting number is {value}. Which names hold that "
                            "number once everything has been copied?", "preface", "question", "reworded"),
    ),
    "cwe": (
        _w("lower_stopword", "which {k} words show up the most in that list? need them for a stopword filter",
           "question", "preface"),
        _w("most_repeated_name", "The {k_words} most repeated entries — can you name them?",
           "question", "reworded"),
        _w("voice_read_out", "Read out the {k_words} terms that occur the most.", "imperative", "reworded"),
        _w("search_top_k", "top {k} words", "terse"),
        _w("ticket_uploaded", "Support request: a customer uploaded this word list and wants to know which "
                              "{k} words are the most common in it. Can you tell me?", "preface", "question"),
        _w("tag_cloud", "I'm sizing a tag cloud and need the {k_words} entries that repeat the most. "
                        "Which are they?", "preface", "question", "reworded"),
        _w("caps_quick", "QUICK — WHAT ARE THE {k} MOST COMMON WORDS HERE?", "question"),
        _w("survey_dump", "This is a dump of survey responses, and I suspect a handful of terms dominate "
                          "everything else. Counting how many times each one shows up, which {k_words} "
                          "terms lead?", "preface", "question", "reworded"),
    ),
    "fwe": (
        _w("lower_blob", "anyone know which {k_words} words occur most in this blob? trying to spot patterns",
           "question", "preface"),
        _w("commonest_tokens", "The {k_words} commonest tokens — what are they?", "question", "reworded"),
        _w("voice_turn_up", "Okay, tell me the {k_words} tokens that turn up most often.",
           "imperative", "reworded"),
        _w("search_by_count", "top {k} words by count", "terse"),
        _w("ticket_data_team", "Ticket from the data team: they need the {k} most frequent words in this "
                               "sequence for a report. Which are they?", "preface", "question"),
        _w("cipher_exercise", "For a cipher-cracking exercise I need the {k_words} most-used tokens in this "
                              "jumble. Which ones?", "preface", "terse", "reworded"),
        _w("caps_emergency", "EMERGENCY: WHICH {k} WORDS ARE MOST FREQUENT IN THIS?", "question"),
        _w("scrambled_structure", "Background: this is a scrambled dump of made-up tokens separated by "
                                  "filler, and I'm trying to figure out its structure. A good first step is "
                                  "knowing which {k_words} tokens occur the most times. Which are they?",
           "preface", "question", "reworded"),
    ),
    "qa_1": (
        _w("lower_anyone_know", "hey, does anyone know this one? {question}", "preface", "reworded"),
        _w("quick_lookup", "quick lookup: {question}", "terse", "reworded"),
        _w("voice_shared", "Hey, can you look this up in what I've shared? {question}", "preface", "reworded"),
        _w("ticket_student", "Support ticket from a student: \"{question}\" Please reply using the attached "
                             "passages.", "preface", "quoted", "polite", "reworded"),
        _w("summary_for_class", "I'm writing a summary for class and want to get this detail right. {question}",
           "preface", "reworded"),
        _w("caps_answered_fast", "NEED THIS ANSWERED FAST: {question}", "preface"),
        _w("going_by_documents", "{question} Going by the documents only, please.", "question", "polite"),
        _w("pub_quiz", "Some context first: I'm preparing a pub quiz and pulled a few articles to check my "
                       "facts. One of my rounds hinges on this, and I'd rather not embarrass myself. {question}",
           "preface", "reworded"),
    ),
    "qa_2": (
        _w("lower_trivia", "team trivia argument, settle it for us: {question}", "preface", "reworded"),
        _w("one_line_fine", "{question} (one line is fine)", "question", "terse", "reworded"),
        _w("voice_one_for_you", "Okay, here's one for you. {question}", "preface", "reworded"),
        _w("ticket_customer_writes", "Support ticket, the customer writes: \"{question}\" Please respond "
                                     "using the articles provided.", "preface", "quoted", "polite", "reworded"),
        _w("fact_checking", "I'm fact-checking a draft article and this claim depends on two facts that live "
                            "in different places. {question}", "preface", "reworded"),
        _w("caps_deadline", "DEADLINE IN AN HOUR — {question}", "preface", "reworded"),
        _w("step_by_step", "{question} Work it out from the documents, step by step if needed.", "question"),
        _w("colleague_halves", "Background: I've been going back and forth on this with a colleague for a "
                               "week. We each found one half of the story in these articles but can't put "
                               "it together. {question} What's the answer?", "preface", "question"),
    ),
}

__all__ = ["WORDINGS_FOURTH"]
