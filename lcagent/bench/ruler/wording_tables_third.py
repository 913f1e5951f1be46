"""A third wording table, written later by a hand that never read lcagent's question rules:
each RULER task asked again in new sentence shapes, chat and email phrasing, typos of habit and
non-native grammar included. Held out from tuning: measure with it, never fix rules after its misses.
"""

from __future__ import annotations

from lcagent.bench.ruler.wording_tables import Wording, _w

WORDINGS_THIRD: dict[str, tuple[Wording, ...]] = {
    "niah_single_1": (
        _w("hey_quick_q", "hey quick q, {key} has a code somewhere in here, what is it",
           "preface", "question", "reworded"),
        _w("digits_next_to", "can you check what digits were written down next to `{key}`?",
           "question", "polite", "quoted", "reworded"),
        _w("id_like_stored", "I'd like to know which value is stored for {key} in there.", "polite", "reworded"),
        _w("must_to_know", "Please, which is the number of {key}? I must to know it for my report.",
           "polite", "question"),
        _w("email_check", "Hi,\n\nCould I ask you to check this for the magic number of \"{key}\"?\n\n"
                          "Thanks in advance,\nSam", "polite", "preface", "quoted"),
        _w("pls_possessive", "pls find {key}'s number", "terse", "imperative"),
        _w("somewhere_next", "{key} is in there somewhere with a number beside it; tell me that number.",
           "preface", "imperative"),
        _w("nothing_else", "Need the digits for '{key}', nothing else.", "terse", "quoted", "reworded"),
    ),
    "niah_single_2": (
        _w("sits_next", "Can you tell me what figure sits next to {key} in this?",
           "question", "polite", "reworded"),
        _w("asap", "need the {key} code asap", "terse", "reworded"),
        _w("went_by", "While reading I noticed a number for `{key}` went by. What was it again?",
           "preface", "quoted", "question"),
        _w("kindly_let_know", "Dear assistant, I am looking for the value that was recorded for {key}. "
                              "Kindly let me know it.", "polite", "preface", "reworded"),
        _w("which_digits_get", "which digits does {key} get", "question", "terse", "reworded"),
        _w("no_chatter", "{key}'s special number — just that, no extra chatter.", "terse"),
        _w("sorry_to_bother", "Hi, sorry to bother you. I'm putting together a summary and I'm missing one "
                              "thing: the number for \"{key}\". Could you dig it out?",
           "preface", "polite", "quoted"),
        _w("when_you_get_chance", "When you get a chance, I'd like {key}'s magic number.", "polite"),
    ),
    "niah_single_3": (
        _w("grab_id_string", "can you grab the id string listed against {key}", "polite", "question", "reworded"),
        _w("beside_quoted", "I'd like the UUID that appears beside '{key}'.", "polite", "quoted"),
        _w("thirty_six", "pls send the 36-character code for {key}", "terse", "imperative", "reworded"),
        _w("register_system", "Hello, I need to register {key} in our system and it asks its identifier. "
                              "Which one is written here?", "preface", "question", "reworded"),
        _w("backtick_uuid", "`{key}` uuid pls", "terse", "quoted"),
        _w("import_failing", "What's the dashed identifier stored for {key}? Asking because the import "
                             "keeps failing.", "question", "reworded"),
        _w("subject_missing", "Subject: missing ID\n\nHi, could I get the special uuid for {key}? Thanks.",
           "preface", "polite"),
        _w("return_unique", "Locate and return the unique ID for {key}.", "imperative", "reworded"),
    ),
    "niah_multikey_1": (
        _w("several_keys_doc", "several keys show up in this doc; just tell me whatever digits go with {key}",
           "preface", "imperative", "reworded"),
        _w("not_look_alikes", "Could I see the value tied specifically to {key}, and not any of the "
                              "similar-looking ones?", "polite", "question", "reworded"),
        _w("gimme", "gimme {key}'s number", "terse", "imperative"),
        _w("write_down", "Did they write down a number for `{key}`? What is it?", "question", "quoted"),
        _w("for_my_notes", "For my notes — which seven-digit code belongs to {key}?", "preface", "question",
           "reworded"),
        _w("want_to_know", "I want to know the magic number of {key}, please tell me.", "polite"),
        _w("reply_just_that", "Hi, quick request: could you check which number is assigned to \"{key}\" "
                              "and reply with just that? Thanks!", "polite", "quoted", "preface"),
        _w("read_off", "Read off the figure recorded alongside {key}.", "imperative", "reworded"),
    ),
    "niah_multikey_2": (
        _w("so_many_dump", "so many codes in this dump. what's the one for {key}", "preface", "question",
           "reworded"),
        _w("digits_after", "Can you locate {key} and tell me the digits after it?", "polite", "question", "reworded"),
        _w("matching_exactly", "I'd like the number matching '{key}' exactly.", "polite", "quoted"),
        _w("need_colon", "Need: value for {key}.", "terse", "reworded"),
        _w("only_this_one", "Which number is {key} assigned? There are many similar, I want only this one.",
           "question"),
        _w("confirm_on_file", "Good morning,\nCould you please confirm the figure on file for {key}?\n"
                              "Best regards", "polite", "preface", "reworded"),
        _w("search_backtick", "Search for `{key}` and tell me its magic number.", "imperative", "quoted"),
        _w("equal_to", "what does {key} equal", "terse", "question", "reworded"),
    ),
    "niah_multikey_3": (
        _w("stored_against", "id stored against {key}?", "terse", "question", "reworded"),
        _w("mapped_from", "Can you tell me which UUID is mapped from {key}?", "polite", "question"),
        _w("counterpart", "I'd like the counterpart ID for `{key}`, please.", "polite", "quoted", "reworded"),
        _w("given_key_return", "Given the key {key}, return the corresponding uuid.", "imperative"),
        _w("lookup_arrow", "pls lookup {key} -> ?", "terse", "reworded"),
        _w("points_to", "Each ID in this file points to another ID. Which one does {key} point to?",
           "preface", "question", "reworded"),
        _w("i_search", "Hello! Please, I search the uuid which is belonging to {key}. Can you help me find it?",
           "polite", "preface"),
        _w("migrating", "Hi there,\nWe're migrating records and need the uuid that goes with {key}. "
                        "Could you look it up?\nThanks", "polite", "preface"),
    ),
    "niah_multivalue": (
        _w("list_out", "list out all the values stored for {key} (there are a few)", "imperative", "reworded"),
        _w("full_set", "Can you pull together everything recorded under '{key}'? I need the full set, not "
                       "just the first.", "polite", "quoted", "question", "reworded"),
        _w("give_them_all", "Which numbers does {key} have? Tell me them all.", "question", "imperative"),
        _w("arrow_every", "`{key}` -> every code", "terse", "quoted", "reworded"),
        _w("dont_skip", "I need all of the magic numbers for {key}, don't skip any.", "imperative"),
        _w("audit_email", "Hi, for the audit I have to collect each figure listed under {key}. Could you "
                          "send me the complete set? Thank you.", "polite", "preface", "reworded"),
        _w("all_number_has", "Please tell me all number that {key} has in this text.", "polite"),
        _w("every_one", "what are {key}'s values, every one of them", "question", "terse", "reworded"),
    ),
    "niah_multiquery": (
        _w("get_me", "can you pull up the numbers, one each, for {keys}", "polite", "question", coordination="and"),
        _w("id_like_values", "I'd like the values of {keys}.", "polite", "reworded", coordination="oxford"),
        _w("figures_these", "Need the figures for these:{keys}", "terse", "reworded", coordination="bullets"),
        _w("check_keys", "Please check the following keys and tell me each one's number:{keys}",
           "polite", "imperative", coordination="numbered"),
        _w("set_to", "{keys} — what's each one set to?", "terse", "question", "reworded", coordination="slash"),
        _w("one_per_key", "Look up {keys} and send back one code per key.", "imperative", "reworded",
           coordination="semicolons"),
        _w("spreadsheet", "Hello, for my spreadsheet I must fill the magic number of {keys}. Can you "
                          "tell me them?", "preface", "polite", "question", coordination="as_well_as"),
        _w("cheers", "Hi all,\nCould I get the digits recorded for {keys}? One per name is fine.\nCheers",
           "polite", "preface", "reworded", coordination="plus"),
    ),
    "vt": (
        _w("carries_by_end", "every name that carries {value} by the end — list them", "terse", "imperative",
           "reworded"),
        _w("work_out", "Can you work out which identifiers get {value}, whether set straight away or copied "
                       "over from another one?", "polite", "question", "reworded"),
        _w("gets_copied_around", "{value} starts in one place and gets copied around. Where does it end up? "
                                 "I need every name.", "preface", "question", "reworded"),
        _w("chain_over", "Give me all variables that are equal to {value} when the chain of assignments "
                         "is over.", "imperative"),
        _w("by_copy", "I'd like to know, please, which variables have the value {value} in the end, also "
                      "the ones that got it by copy.", "polite"),
        _w("pls_got", "pls list every name that got {value}, copies included", "terse", "imperative", "reworded"),
        _w("debugging_script", "Hi,\nDebugging a script here. Could you tell me every name that ends up "
                               "storing {value}? Thanks", "polite", "preface", "reworded"),
        _w("dust_settles", "`{value}` — which names share it once the dust settles?", "terse", "quoted",
           "question", "reworded"),
    ),
    "cwe": (
        _w("tally_up", "tally up the entries and tell me the {k_words} with the biggest totals",
           "imperative", "reworded"),
        _w("rank_terms", "Can you rank the terms by how many times each occurs and tell me the first {k}?",
           "polite", "question", "reworded"),
        _w("id_like_common", "I'd like the {k} most common words in this list.", "polite"),
        _w("by_count", "Top {k} words by count?", "terse"),
        _w("lots_of_repeats", "Here is a big list with lots of repeats. Please, tell me which {k_words} "
                              "words are most repeated.", "preface", "polite"),
        _w("by_hand", "Hi,\nCould I get the {k_words} most popular entries? Counting them by hand is a pain.\n"
                      "Thanks", "polite", "preface", "reworded"),
        _w("most_occurrences", "need the {k} words with the most occurrences", "terse"),
        _w("sheer_count", "Which {k_words} tokens dominate the collection by sheer count?", "question",
           "reworded"),
    ),
    "fwe": (
        _w("jumble", "what {k_words} made-up terms get repeated most in this jumble", "question", "terse",
           "reworded"),
        _w("leaders", "Can you count the tokens and tell me the {k} leaders?", "polite", "question", "reworded"),
        _w("id_like_frequent", "I'd like to see which words are the most frequent here — the {k_words} biggest "
                                   "ones, please.", "polite"),
        _w("by_occurrence", "Top {k} by occurrence?", "terse", "reworded"),
        _w("nonsense_periods", "This looks like nonsense text with periods everywhere. Which {k_words} words "
                               "are used the most?", "preface", "question"),
        _w("garbled_file", "Hello,\nI was sent this garbled file and want to know its {k_words} most repeated "
                           "terms. Could you help?\nRegards", "polite", "preface", "reworded"),
        _w("coming_most", "Please to tell me the {k} words which are coming most often.", "polite"),
        _w("rank_strings", "Rank the strings by count and return the top {k_words}.", "imperative", "reworded"),
    ),
    "qa_1": (
        _w("hey_one_thing", "hey, one thing about the passages — {question}", "preface", "reworded"),
        _w("verify_something", "Can you verify something from the material? {question}",
           "polite", "preface", "reworded"),
        _w("short_reply", "I'd like a short reply to this, using only what's written here. {question}",
           "polite", "preface", "reworded"),
        _w("few_words", "{question} Please answer in a few words.", "question", "polite"),
        _w("thanks_advance", "{question} Thanks in advance!", "question", "polite", "reworded"),
        _w("got_stuck_email", "Hi,\nWhile reviewing the material I got stuck on one point. {question}\n"
                              "Best,\nAlex", "preface", "polite", "reworded"),
        _w("teacher_asked", "My teacher asked this and I could not find in the text: {question}",
           "preface", "reworded"),
        _w("need_answer", "need answer: {question}", "terse"),
    ),
    "qa_2": (
        _w("connect_two", "{question} (you'll probably have to connect two of the articles)", "question",
           "reworded"),
        _w("help_with_this", "Could I get help with this one? {question}", "polite", "preface", "reworded"),
        _w("pls_docs", "pls answer using only the docs, no guessing: {question}", "terse", "preface"),
        _w("settle_something", "I'd like to settle something. {question}", "preface", "reworded"),
        _w("question_for_you", "Question for you, with the documents in mind — {question}", "preface"),
        _w("trivia_night", "Hello,\nI'm preparing a trivia night and want to double-check one item. "
                           "{question}\nThank you!", "polite", "preface", "reworded"),
        _w("want_know", "Please I want know this, the texts should say it somewhere: {question}",
           "polite", "preface", "reworded"),
        _w("no_explanation", "{question} Short reply, no explanation needed.", "question", "terse", "reworded"),
    ),
}

__all__ = ["WORDINGS_THIRD"]
