"""Running titles are found from each page's first and last lines, read from both ends."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lcagent.loaders.tables import _edge_lines

line = st.sampled_from(["", " ", "  ", "Table of Contents", "Revenue 1,234", "  indented  ", "\t"])


@settings(max_examples=500, deadline=None)
@given(st.lists(line, max_size=60))
def test_edge_lines_are_the_first_two_and_last_two_non_blank_lines(lines):
    text = "\n".join(lines)
    kept = [one for one in lines if one.strip()]
    assert _edge_lines(text) == kept[:2] + kept[-2:]
