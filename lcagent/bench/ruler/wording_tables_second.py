"""A second, held-out table of wordings for the wording suite, written later by a hand that
never read lcagent's question rules. Keep it out of tuning and out of the rules' examples: it
is here to measure, not to fit. Same placeholders and style tags as ``WORDINGS``.
"""

from __future__ import annotations

from lcagent.bench.ruler.wording_tables import Wording, _w

WORDINGS_SECOND: dict[str, tuple[Wording, ...]] = {
    "niah_single_1": (
        _w("next_to_lower", "what's the number next to {key}", "question"),
        _w("put_down_for", "Which code did they put down for `{key}`?", "question", "quoted", "reworded"),
        _w("manager_dump", "Okay so my manager forwarded me this huge dump and asked me to dig out one thing. "
                           "The entry is {key} — can you see what figure it's paired with?",
           "preface", "question", "reworded"),
        _w("grab_paste", "Grab the number stored against {key} and paste it here.", "imperative"),
        _w("sorry_to_bother", "Hi! Sorry to bother you, but would you be able to tell me what digits go "
                              "with {key}? Thanks so much", "polite", "question", "reworded"),
        _w("arrow_digits", "{key} -> digits?", "terse", "reworded"),
        _w("for_a_form", "What number is {key} set to? I need it for a form I'm filling out.", "question"),
        _w("hey_trailing", "hey, the figure for \"{key}\" is...", "terse", "quoted", "reworded"),
    ),
    "niah_single_2": (
        _w("asap", "need the number for {key} asap", "terse"),
        _w("sits_beside", "Can you check which figure sits beside '{key}'?", "question", "quoted", "reworded"),
        _w("dig_up", "Dig up whatever digits were assigned to {key}.", "imperative", "reworded"),
        _w("spreadsheets", "I'm reconciling two spreadsheets and one row came through blank. The label on "
                           "it is {key}. What number should be there?", "preface", "question"),
        _w("backtick_arrow", "`{key}` → value", "terse", "quoted", "reworded"),
        _w("not_too_much_trouble", "If it's not too much trouble, could you find me the number for {key}?",
           "polite", "question"),
        _w("end_up_being", "ok so what did {key} end up being? the number i mean", "question"),
        _w("and_the_figure", "and the figure for {key} is...", "terse", "reworded"),
    ),
    "niah_single_3": (
        _w("which_uuid_lower", "which uuid does {key} get", "question"),
        _w("hex_string", "Please copy out the long hex string that sits next to \"{key}\".",
           "polite", "imperative", "quoted", "reworded"),
        _w("new_teammate", "I'm setting up access for a new teammate and the form wants the identifier for "
                           "{key}. What is it exactly, character for character?",
           "preface", "question", "reworded"),
        _w("uuid_pls", "{key}: uuid pls", "terse"),
        _w("guid_on_record", "Tell me the GUID on record for `{key}`", "imperative", "quoted", "reworded"),
        _w("could_i_get", "Could I get the UUID listed against {key}? Thank you!", "polite", "question"),
        _w("with_dashes", "What's the 36-character ID attached to {key}? it's the one with the dashes",
           "question", "reworded"),
        _w("on_file_trailing", "so the identifier on file for {key} is...", "terse", "reworded"),
    ),
    "niah_multikey_1": (
        _w("just_want", "there are a few entries in here but i just want {key}. what's its number",
           "preface", "question"),
        _w("ignore_other_names", "Which figure is {key} paired with? Ignore the other names.",
           "question", "reworded"),
        _w("only_that_one", "Give me {key}'s digits — only that one.", "imperative", "reworded"),
        _w("specifically", "Could you please check the number for \"{key}\" specifically?",
           "polite", "question", "quoted"),
        _w("number_only", "{key} — number only", "terse"),
        _w("mixing_labels", "I've got four or so labels floating around in this file and keep mixing them "
                            "up. The one that matters right now is {key}; what value sits with it?",
           "preface", "question", "reworded"),
        _w("double_check", "Just to double-check before I send this off: the code for `{key}` is what, "
                           "exactly?", "preface", "question", "quoted", "reworded"),
        _w("under_trailing", "number under {key}...", "terse"),
    ),
    "niah_multikey_2": (
        _w("lookalike", "lots of near-duplicate lines in this one. i need the exact number for {key}, "
                        "not a lookalike", "preface"),
        _w("digits_recorded", "What digits are recorded next to {key}?", "question", "reworded"),
        _w("entry_figure", "Find me the entry for '{key}' and tell me its figure.",
           "imperative", "quoted", "reworded"),
        _w("bare_key", "{key}?", "terse", "reworded"),
        _w("beside_it", "Would you mind looking up {key} and telling me the number beside it?",
           "polite", "question"),
        _w("stuck", "Number for `{key}`, please — I'm stuck on this one.", "terse", "polite", "quoted"),
        _w("eyes_glazing", "Which value pairs up with {key}? The list is really long and my eyes are "
                           "glazing over.", "question", "reworded"),
        _w("would_be_trailing", "the number for {key} would be...", "terse"),
    ),
    "niah_multikey_3": (
        _w("stored_under_lower", "what uuid is stored under {key}", "question"),
        _w("counterpart", "I have the ID {key} and need its counterpart. Which one is it matched with?",
           "preface", "question", "reworded"),
        _w("return_string", "Look up `{key}` and return the string next to it", "imperative", "quoted", "reworded"),
        _w("appreciate_it", "I'd appreciate it if you could tell me which UUID {key} corresponds to.", "polite"),
        _w("fat_arrow", "{key} => ?", "terse", "reworded"),
        _w("migration", "We migrated some records last night and a couple of references broke. One of the "
                        "old keys was {key}. What's the new identifier it points to?",
           "preface", "question", "reworded"),
        _w("for_a_ticket", "Can you grab the UUID for {key}? need it for a ticket", "polite", "question"),
        _w("partner_trailing", "the partner of {key} is...", "terse", "reworded"),
    ),
    "niah_multivalue": (
        _w("list_them_all", "{key} shows up with a few numbers — list them all", "terse", "imperative"),
        _w("pull_together", "Pull together every figure that appears alongside {key}.", "imperative", "reworded"),
        _w("more_than_one_code", "{key} has more than one code attached, right? what are all of them",
           "question", "reworded"),
        _w("dont_miss_any", "Could you round up all the numbers that are given for {key}? I don't want to "
                            "miss any.", "polite", "question"),
        _w("auditing_config", "I'm auditing an old config and I know {key} was set more than once over time. "
                              "Every value it was ever set to, please.", "preface", "polite", "reworded"),
        _w("every_number_quoted", "`{key}`: every number", "terse", "quoted"),
        _w("several_digits", "Which digits are associated with {key}? There should be several, give me each "
                             "one.", "question", "reworded"),
        _w("linked_trailing", "the numbers linked to \"{key}\" are...", "terse", "quoted"),
    ),
    "niah_multiquery": (
        _w("need_numbers_lower", "i need numbers for {keys}", "terse", coordination="slash"),
        _w("figure_each", "Give me the figure paired with each of these:{keys}", "imperative", "reworded",
           coordination="numbered"),
        _w("each_ones_value", "Can you look up {keys} and tell me each one's value?", "polite", "question",
           "reworded", coordination="semicolons"),
        _w("four_blanks", "Quick favour — I'm filling in a table and have four blanks left. What digits go "
                          "with {keys}?", "preface", "question", "reworded", coordination="as_well_as"),
        _w("dash_values", "{keys} — values?", "terse", "reworded", coordination="and"),
        _w("please_find_each", "Please find the number that goes with each of the following:{keys}",
           "polite", "imperative", coordination="bullets"),
        _w("same_order", "What number does each of {keys} have? Put them in the same order.", "question",
           coordination="oxford"),
        _w("are_trailing", "for {keys}, the numbers are...", "terse", coordination="plus"),
    ),
    "vt": (
        _w("passed_around", "{value} gets passed around a bit — where does it land?",
           "terse", "question", "reworded"),
        _w("list_every_holder", "List every variable that holds {value} by the end, including ones that got "
                                "it via a copy.", "imperative"),
        _w("losing_place", "Could you tell me which names wind up storing {value}? I keep losing my place in "
                           "the copies.", "polite", "question", "reworded"),
        _w("debugging", "I'm debugging some generated code. {value} is set once near the top and then copied "
                        "around; which variables have it when everything's done?", "preface", "question"),
        _w("carrying", "names carrying {value}?", "terse", "reworded"),
        _w("come_out_as", "which variables come out as `{value}` once the whole thing has run",
           "question", "quoted"),
        _w("walk_forward", "Walk the copies forward from where {value} is first stored and name every place "
                           "it reaches.", "imperative", "reworded"),
        _w("ends_up_in", "{value} ends up in which names...", "terse", "reworded"),
    ),
    "cwe": (
        _w("keep_repeating", "which {k_words} words keep repeating the most", "question"),
        _w("rank_entries", "Rank the entries by how many times they occur and give me the first {k}.",
           "imperative", "reworded"),
        _w("filler_dump", "I'm trying to spot the filler in a long vocabulary dump. Which {k_words} terms "
                          "does it lean on hardest?", "preface", "question", "reworded"),
        _w("count_and_tell", "Could you count the words and tell me which {k} repeat the most?",
           "polite", "question"),
        _w("most_used_terse", "{k} most-used terms?", "terse", "reworded"),
        _w("no_counts", "Which {k_words} words are the most common here? No need for counts.", "question"),
        _w("pick_out", "Pick out the {k_words} entries you see more than any others, please",
           "polite", "imperative", "reworded"),
        _w("over_and_over", "the {k} words that come up over and over are...", "terse"),
    ),
    "fwe": (
        _w("most_repeated_lower", "the {k_words} most repeated words in here, which are they", "question"),
        _w("leading_tokens", "Count how many times each token shows up and tell me the leading {k_words}.",
           "imperative", "reworded"),
        _w("wall_of_nonsense", "There's a wall of nonsense strings in here with dots between them. What are "
                               "the {k} most common words in it?", "preface", "question"),
        _w("repeat_thanks", "Could you tell me the {k_words} entries that repeat most? Thanks.",
           "polite", "question", "reworded"),
        _w("by_count", "top {k_words} by count?", "terse", "reworded"),
        _w("ordered_by_often", "Need the {k} most frequent words, ordered by how often each one occurs", "terse"),
        _w("cipher", "I'm decoding a cipher and need the {k_words} strings that turn up the most — what are "
                     "they?", "preface", "question", "reworded"),
        _w("no_counts_trailing", "Which {k} words show up most? Just the words, no counts...", "question", "terse"),
    ),
    "qa_1": (
        _w("hey", "hey, {question}", "terse", "reworded"),
        _w("cant_find_spot", "{question} I read it somewhere in here but can't find the spot again.",
           "question", "reworded"),
        _w("reading_packet", "My teacher handed out this reading packet and I'm stuck on one thing. {question}",
           "preface", "reworded"),
        _w("only_passages", "Using only what's in these passages: {question}", "preface", "reworded"),
        _w("word_or_two", "{question} Please answer in a word or two.", "question", "polite"),
        _w("sorry_obvious", "Sorry if this is obvious, but {question}", "polite", "preface", "reworded"),
        _w("material_provided", "Going by the material provided, what's the answer here: {question}", "preface"),
        _w("either_way", "{question} Not sure the text even covers it, let me know either way.",
           "question", "reworded"),
    ),
    "qa_2": (
        _w("two_facts", "ok this one needs two facts strung together. {question}", "preface", "reworded"),
        _w("connect_dots", "{question} — I think the articles cover it but I can't connect the dots.",
           "question", "reworded"),
        _w("trivia_night", "Trivia night prep, working from these pages: {question}", "preface", "reworded"),
        _w("no_outside_knowledge", "Stick to these documents when you answer, no outside knowledge. {question}",
           "imperative"),
        _w("one_or_two_words", "{question} One or two words is enough.", "question"),
        _w("checking_sources", "Would you mind checking the sources for me on this? {question}",
           "polite", "preface", "reworded"),
        _w("question_for_you", "question for you: {question}", "terse", "preface"),
        _w("back_and_forth", "I've been going back and forth on this for an hour... {question}",
           "preface", "reworded"),
    ),
}
