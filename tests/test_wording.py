"""Counts in sentences read as English: '1 entry', '3 entries', never 'entry(s)'."""

from __future__ import annotations

import pytest

from dslab.wording import count, ms


@pytest.mark.parametrize("n, noun, text", [
    (1, "entry", "1 entry"),
    (0, "entry", "0 entries"),
    (3, "committed entry", "3 committed entries"),
    (2, "day", "2 days"),
    (2, "split vote", "2 split votes"),
    (2, "process", "2 processes"),
    (1_280, "message", "1,280 messages"),
])
def test_count_says_the_number_with_the_right_noun(n, noun, text):
    assert count(n, noun) == text


def test_ms_rounds_to_whole_milliseconds_with_thousands_separated():
    assert ms(2000) == "2,000 ms" and ms(18.8) == "19 ms"
