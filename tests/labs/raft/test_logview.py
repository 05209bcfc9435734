"""The rules see a log's terms through a view instead of a copy: the view must answer every
question a list of the terms would, the same way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.labs.raft import rules
from dslab.labs.raft.logview import LogTerms

logs = st.lists(st.tuples(st.integers(1, 5), st.integers(0, 99)), max_size=12)


@given(logs, st.integers(0, 15))
def test_the_view_reads_like_the_list_of_terms(log, length):
    terms = [t for t, _ in log][:length]
    view = LogTerms(log, length)
    assert len(view) == len(terms)
    assert list(view) == terms and view == terms
    assert [view[i] for i in range(-len(terms), len(terms))] == terms[-len(terms):] + terms
    assert view[1:] == terms[1:] and view[::-1] == terms[::-1]
    assert (2 in view) == (2 in terms)
    for bad in (len(terms), -len(terms) - 1):
        with pytest.raises(IndexError):
            view[bad]


@given(logs, st.integers(0, 14), st.integers(0, 5))
def test_the_rules_answer_the_same_on_the_view(log, prev_index, prev_term):
    terms = [t for t, _ in log]
    assert (rules.entries_match(LogTerms(log, prev_index), prev_index, prev_term)
            == rules.entries_match(terms[:prev_index], prev_index, prev_term))
    matches = [len(log), *(min(len(log), k) for k in (prev_index, prev_term))]
    for current_term in range(1, 6):
        assert (rules.advance_commit(matches, LogTerms(log), current_term, 0, 2)
                == rules.advance_commit(matches, terms, current_term, 0, 2))


def test_the_view_follows_the_log_it_reads():
    log = [(1, 1)]
    view = LogTerms(log)
    log.append((2, 2))  # a view made before the log grew keeps its length
    assert view == [1]
    assert LogTerms(log) == [1, 2]
