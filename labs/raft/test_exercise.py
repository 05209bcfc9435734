"""The checker behind ``dslab check raft``: your rules, one behaviour per test.

Each test is named after the rule it checks, and each failure says what your code answered,
what Raft expects, and which part of the paper the answer breaks (Figure 2, §5.2, §5.4.1).
The second tier (grant_pre_vote, append_entries, advance_commit) has its own tests, the
Figure 8 history among them, and whole-cluster runs in which that one rule of yours runs beside
dslab's others. The last tests run a whole simulated cluster on all your rules under generated
partitions, crashes and restarts (a second-tier rule still a stub runs as dslab's there).

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.exercise_support import checker_settings, exercise_path, learner_rules, shown_path
from dslab.labs.raft import rules
from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.lab import LAB
from dslab.labs.raft.params import MAX_NODES
from dslab.labs.raft.rules import CANDIDATE, FOLLOWER, LEADER, VoteRequest
from dslab.sim.faults import Crash, Partition, Restart

IMPL_PATH = exercise_path(__file__)

# The same examples on every run (dslab.exercise_support.checker_settings says how).
PURE = checker_settings(max_examples=150)
CLUSTER = checker_settings(max_examples=30)
CLUSTER_T2 = checker_settings(max_examples=15)


@pytest.fixture(scope="module")
def impl():
    """Your rules laid over the reference ones (each answer checked as in a run)."""
    return learner_rules(LAB, IMPL_PATH)


def won(answer) -> bool:
    return bool(answer)


def servers(n: int) -> str:
    return f"{n} server" if n == 1 else f"{n} servers"


# Small clusters first, so the first failure a learner reads is one they can check by hand.
SIZES = [3, 4, 5, 2, 1, *range(6, MAX_NODES + 1)]


def state(answer):
    """observe_term's answer as (term, voted_for, role), insisting on TermState's field names."""
    assert all(hasattr(answer, f) for f in ("term", "voted_for", "role")), (
        f"observe_term returned {answer!r}; return TermState(term, voted_for, role) so the "
        "simulator can read .term, .voted_for and .role"
    )
    return (answer.term, answer.voted_for, answer.role)


# -- quorum ----------------------------------------------------------------------------------

def test_quorum_is_a_strict_majority(impl):
    for n in SIZES:
        q = impl.quorum(n)
        assert isinstance(q, int) and not isinstance(q, bool), (
            f"quorum({n}) returned {q!r}; it must be a whole number of servers (an int)"
        )
        assert 2 * q > n, (
            f"quorum({n}) = {q}, which is not more than half of {servers(n)}: two groups of {q} "
            "need not share a server, so each could elect a leader in the same term (§5.2 needs "
            "a majority)"
        )
        assert q <= n, f"quorum({n}) = {q}: a cluster of {servers(n)} can never gather {q}"


def test_quorum_is_the_smallest_majority(impl):
    for n in SIZES:
        q = impl.quorum(n)
        assert 2 * (q - 1) <= n, (
            f"quorum({n}) = {q}, but {servers(q - 1)} are already more than half of {n}: the "
            "cluster waits for votes it does not need and survives fewer failures (§5.2)"
        )


@PURE
@given(st.integers(2, MAX_NODES).flatmap(
    lambda n: st.tuples(st.just(n), st.permutations(range(n)), st.permutations(range(n)))))
def test_quorum_any_two_quorums_share_a_server(impl, case):
    n, order_a, order_b = case
    q = impl.quorum(n)
    a, b = set(order_a[:q]), set(order_b[:q])
    assert a & b, (
        f"with {servers(n)} and quorum({n}) = {q}, the groups {sorted(a)} and {sorted(b)} share "
        "no server: each could elect its own leader in one term. Any two quorums must overlap "
        "(§5.2)"
    )


# -- election_won ----------------------------------------------------------------------------

def test_election_won_by_a_majority_of_votes(impl):
    for candidate, granted_by, n in [(0, {0, 1, 2}, 5), (4, {4, 0, 3}, 5), (1, {0, 1}, 3),
                                     (2, {0, 1, 2}, 4), (0, {0}, 1), (3, {0, 1, 2, 3}, 7)]:
        answer = impl.election_won(candidate, frozenset(granted_by), n)
        assert won(answer), (
            f"election_won({candidate}, {sorted(granted_by)}, {n}) = {answer!r}: "
            f"{len(granted_by)} of {servers(n)} voted for the candidate, a majority, so it has "
            "won (§5.2)"
        )


def test_election_won_never_by_half_or_fewer(impl):
    for candidate, granted_by, n in [(0, {0, 1}, 5), (1, {0, 1}, 4), (0, {0}, 2),
                                     (2, {2, 5, 6}, 7), (3, {3, 0}, 4)]:
        answer = impl.election_won(candidate, frozenset(granted_by), n)
        assert not won(answer), (
            f"election_won({candidate}, {sorted(granted_by)}, {n}) = {answer!r}: "
            f"{len(granted_by)} of {servers(n)} is not more than half, so another candidate "
            "could win the same term (§5.2 needs votes from a majority of the whole cluster)"
        )


def test_election_won_counts_each_voter_once(impl):
    for candidate, granted_by, n in [(0, {0}, 3), (4, {4, 1}, 5), (2, {2, 0, 1}, 7)]:
        answer = impl.election_won(candidate, frozenset(granted_by), n)
        assert not won(answer), (
            f"election_won({candidate}, {sorted(granted_by)}, {n}) = {answer!r}: the candidate's "
            "own vote is already in granted_by; counting it again gives a minority the win "
            "(§5.2: each server votes once)"
        )


@PURE
@given(st.integers(1, 9).flatmap(lambda n: st.tuples(
    st.just(n), st.integers(0, n - 1), st.sets(st.integers(0, n - 1)))))
def test_election_won_agrees_with_counting_votes(impl, case):
    n, candidate, others = case
    granted_by = frozenset(others | {candidate})
    expected = 2 * len(granted_by) > n
    answer = impl.election_won(candidate, granted_by, n)
    assert won(answer) == expected, (
        f"election_won({candidate}, {sorted(granted_by)}, {n}) = {answer!r}, but "
        f"{len(granted_by)} of {servers(n)} {'is' if expected else 'is not'} a majority (§5.2)"
    )


# -- log_is_up_to_date -----------------------------------------------------------------------

def test_log_is_up_to_date_prefers_the_later_last_term(impl):
    assert impl.log_is_up_to_date(3, 2, 2, 10), (
        "a candidate whose log ends in term 3 (2 entries) is more up to date than a voter whose "
        "log ends in term 2 (10 entries): the later last term wins, whatever the lengths (§5.4.1)"
    )
    assert not impl.log_is_up_to_date(2, 10, 3, 2), (
        "a candidate whose log ends in term 2 (10 entries) is behind a voter whose log ends in "
        "term 3 (2 entries): a longer log from an older term is not newer (§5.4.1)"
    )


def test_log_is_up_to_date_breaks_a_tie_by_length(impl):
    assert impl.log_is_up_to_date(4, 7, 4, 5), (
        "same last term 4, candidate has 7 entries and the voter 5: the longer log is more up "
        "to date (§5.4.1)"
    )
    assert not impl.log_is_up_to_date(4, 5, 4, 7), (
        "same last term 4, candidate has 5 entries and the voter 7: the candidate may be missing "
        "committed entries, so it is behind (§5.4.1)"
    )


def test_log_is_up_to_date_accepts_an_equal_log(impl):
    assert impl.log_is_up_to_date(2, 6, 2, 6), (
        "candidate and voter both end at index 6 in term 2: 'at least as up to date' includes "
        "equal, or no server could ever vote for a peer as current as itself (§5.4.1)"
    )
    assert impl.log_is_up_to_date(0, 0, 0, 0), (
        "two empty logs (last term 0, last index 0) are equally up to date, so the first "
        "election of a fresh cluster must be winnable (§5.4.1)"
    )


def big(n: int) -> int:
    """``n`` as a fresh int object: equal to ``n``, but not the same object once ``n`` is past
    Python's small-int cache, as terms of a long-lived cluster are."""
    return int(str(n))


def test_log_is_up_to_date_compares_terms_by_value(impl):
    answer = impl.log_is_up_to_date(big(1000), 7, big(1000), 5)
    assert answer, (
        f"log_is_up_to_date(1000, 7, 1000, 5) = {answer!r} with two equal terms built "
        "separately: compare terms with == and !=, not 'is' ('is' asks whether they are the "
        "same object, which equal numbers past 256 usually are not)"
    )


def log_end():
    """The end of a log: (0, 0) when empty, else a term of 1 or more and an index of 1 or more."""
    return st.one_of(st.just((0, 0)), st.tuples(st.integers(1, 6), st.integers(1, 12)))


@PURE
@given(log_end(), log_end())
def test_log_is_up_to_date_matches_the_lexicographic_order(impl, cand, mine):
    expected = cand >= mine
    answer = impl.log_is_up_to_date(cand[0], cand[1], mine[0], mine[1])
    assert bool(answer) == expected, (
        f"log_is_up_to_date{(*cand, *mine)} = {answer!r}: a candidate whose log ends at "
        f"(term {cand[0]}, index {cand[1]}) is {'at least as' if expected else 'less'} up to "
        f"date than a voter at (term {mine[0]}, index {mine[1]}); compare last terms first, then "
        "lengths (§5.4.1)"
    )


# -- grant_vote ------------------------------------------------------------------------------

def test_grant_vote_to_the_first_candidate_with_a_good_log(impl):
    for req, mine in [(VoteRequest(3, 1, 5, 2), (2, 5)), (VoteRequest(3, 1, 9, 3), (2, 5)),
                      (VoteRequest(1, 0, 0, 0), (0, 0))]:
        answer = impl.grant_vote(req.term, None, mine[0], mine[1], req)
        assert answer, (
            f"grant_vote({req.term}, None, {mine[0]}, {mine[1]}, {req}) = {answer!r}: the "
            "voter has not voted this term and the candidate's log is up to date, so it must "
            "vote yes (Figure 2, RequestVote); otherwise no leader is ever elected"
        )


def test_grant_vote_at_most_once_per_term(impl):
    req = VoteRequest(term=3, candidate_id=2, last_log_index=8, last_log_term=3)
    answer = impl.grant_vote(3, 1, 2, 5, req)
    assert not answer, (
        f"grant_vote(3, 1, 2, 5, {req}) = {answer!r}: this server already voted for server 1 "
        "in term 3, so a yes to server 2 lets two candidates count the same server and both win "
        "the term (§5.2: one vote per server per term)"
    )


def test_grant_vote_again_to_the_same_candidate(impl):
    req = VoteRequest(term=3, candidate_id=2, last_log_index=5, last_log_term=2)
    answer = impl.grant_vote(3, 2, 2, 5, req)
    assert answer, (
        f"grant_vote(3, 2, 2, 5, {req}) = {answer!r}: this server already voted for server 2 "
        "in term 3, and server 2 asks again (its first reply was lost); repeating the yes is "
        "allowed (Figure 2: votedFor is null or candidateId)"
    )


def test_grant_vote_counts_a_vote_for_server_0(impl):
    req = VoteRequest(term=2, candidate_id=1, last_log_index=5, last_log_term=2)
    answer = impl.grant_vote(2, 0, 2, 5, req)
    assert not answer, (
        f"grant_vote(2, 0, 2, 5, {req}) = {answer!r}: this server voted for server 0 in term 2. "
        "0 is a real server id, but it is falsy: test 'voted_for is not None', not "
        "'if voted_for', or a vote for server 0 is forgotten and the term gets two leaders"
    )


def test_grant_vote_compares_terms_and_ids_by_value(impl):
    req = VoteRequest(term=big(1000), candidate_id=big(300), last_log_index=5, last_log_term=2)
    answer = impl.grant_vote(big(1000), big(300), 2, 5, req)
    assert answer, (
        f"grant_vote(1000, 300, 2, 5, {req}) = {answer!r}: same term, and the server already "
        "voted for this very candidate (ids and terms built separately); compare them with == "
        "and !=, not 'is', which asks whether they are the same object"
    )


def test_grant_vote_refuses_a_stale_term(impl):
    req = VoteRequest(term=4, candidate_id=1, last_log_index=9, last_log_term=4)
    answer = impl.grant_vote(5, None, 2, 3, req)
    assert not answer, (
        f"grant_vote(5, None, 2, 3, {req}) = {answer!r}: the request is from term 4 and this "
        "server is in term 5; a vote for an old term helps a candidate that can no longer lead "
        "(Figure 2: reply false if term < currentTerm)"
    )


def test_grant_vote_refuses_a_stale_log(impl):
    for req in (VoteRequest(3, 1, 10, 1), VoteRequest(3, 1, 4, 2)):
        answer = impl.grant_vote(3, None, 2, 5, req)
        assert not answer, (
            f"grant_vote(3, None, 2, 5, {req}) = {answer!r}: the voter's log ends at (term 2, "
            f"index 5) and the candidate's at (term {req.last_log_term}, index "
            f"{req.last_log_index}), which is behind; electing it could lose committed entries "
            "(§5.4.1)"
        )


requests = st.lists(st.builds(
    lambda term, cand, end: VoteRequest(term, cand, end[1], end[0]),
    st.integers(1, 5), st.integers(0, 3), log_end()), min_size=1, max_size=12)


@PURE
@given(st.integers(0, 3), log_end(), requests)
def test_grant_vote_never_backs_two_candidates_in_one_term(impl, start_term, mine, reqs):
    # Server 4 receives the requests in order, handled as the simulator does: the reference
    # observe_term first, then your grant_vote, and a yes is recorded as voted_for.
    term, voted_for, role = start_term, None, FOLLOWER
    first_yes: dict[int, VoteRequest] = {}
    for req in reqs:
        term, voted_for, role = rules.observe_term(term, voted_for, role, req.term)
        if impl.grant_vote(term, voted_for, mine[0], mine[1], req):
            assert req.term == term, (
                f"voted for {req} while in term {term}: a request from an older term must be "
                "refused (Figure 2)"
            )
            before = first_yes.setdefault(term, req)
            assert before.candidate_id == req.candidate_id, (
                f"in term {term} this server voted for server {before.candidate_id}, then also "
                f"for server {req.candidate_id}: grant_vote was called with voted_for="
                f"{voted_for} and must say no to anyone else in that term (§5.2)"
            )
            voted_for = req.candidate_id


# -- observe_term ----------------------------------------------------------------------------

def test_observe_term_steps_down_on_a_higher_term(impl):
    for cur, voted, role, seen in [(3, 3, LEADER, 5), (3, 3, CANDIDATE, 4), (2, None, FOLLOWER, 3)]:
        got = state(impl.observe_term(cur, voted, role, seen))
        assert got == (seen, None, FOLLOWER), (
            f"observe_term({cur}, {voted}, {role!r}, {seen}) = {got}: a message from term "
            f"{seen} means a newer term exists, so this server adopts it and becomes a follower "
            f"with no vote yet, i.e. ({seen}, None, 'follower') (Figure 2, rules for all servers)"
        )


def test_observe_term_forgets_the_vote_of_an_old_term(impl):
    got = state(impl.observe_term(3, 2, FOLLOWER, 4))
    assert got[1] is None, (
        f"observe_term(3, 2, 'follower', 4) = {got}: the vote for server 2 was cast in term 3; "
        "carried into term 4 it would stop this server from voting at all in the new term "
        "(Figure 2: votedFor belongs to currentTerm)"
    )


def test_observe_term_ignores_an_equal_or_older_term(impl):
    for cur, voted, role, seen in [(5, 5, LEADER, 5), (5, 5, LEADER, 3), (4, 4, CANDIDATE, 4),
                                   (4, 1, FOLLOWER, 2), (2, None, FOLLOWER, 2)]:
        got = state(impl.observe_term(cur, voted, role, seen))
        assert got == (cur, voted, role), (
            f"observe_term({cur}, {voted}, {role!r}, {seen}) = {got}: a message from term "
            f"{seen} is not newer than term {cur}, so term, vote and role stay as they were; "
            "never move a term backwards or drop a vote you cast (Figure 2)"
        )


@PURE
@given(st.integers(0, 8), st.sampled_from([None, 0, 1, 2, 3, 4]),
       st.sampled_from([FOLLOWER, CANDIDATE, LEADER]), st.integers(0, 8))
def test_observe_term_moves_only_forward(impl, cur, voted, role, seen):
    got = state(impl.observe_term(cur, voted, role, seen))
    expected = (seen, None, FOLLOWER) if seen > cur else (cur, voted, role)
    assert got == expected, (
        f"observe_term({cur}, {voted}, {role!r}, {seen}) = {got}, expected {expected}: adopt a "
        "later term as a follower with no vote, and leave everything alone otherwise (Figure 2)"
    )


# -- second tier: grant_pre_vote --------------------------------------------------------------

def test_grant_pre_vote_when_no_leader_is_heard(impl):
    for cur, mine, req in [(2, (2, 5), VoteRequest(3, 1, 5, 2)), (2, (2, 5), VoteRequest(3, 1, 9, 2)),
                           (0, (0, 0), VoteRequest(1, 0, 0, 0)), (4, (1, 3), VoteRequest(7, 2, 1, 3))]:
        answer = impl.grant_pre_vote(cur, False, mine[0], mine[1], req)
        assert answer, (
            f"grant_pre_vote({cur}, False, {mine[0]}, {mine[1]}, {req}) = {answer!r}: no leader "
            f"heard lately, term {req.term} is later than {cur} and the candidate's log is up to "
            "date, so this server would vote for it: say yes, or no election can ever start "
            "(§9.6)"
        )


def test_grant_pre_vote_refuses_while_a_leader_is_heard(impl):
    req = VoteRequest(term=4, candidate_id=2, last_log_index=9, last_log_term=3)
    answer = impl.grant_pre_vote(3, True, 3, 5, req)
    assert not answer, (
        f"grant_pre_vote(3, True, 3, 5, {req}) = {answer!r}: this server heard from a leader "
        "within the shortest election timeout, so the leader is alive and there is no reason to "
        "replace it; a yes lets a server whose own timer fired first depose a healthy leader "
        "(§9.6)"
    )


def test_grant_pre_vote_refuses_a_stale_log(impl):
    for req in (VoteRequest(4, 1, 10, 1), VoteRequest(4, 1, 4, 2)):
        answer = impl.grant_pre_vote(3, False, 2, 5, req)
        assert not answer, (
            f"grant_pre_vote(3, False, 2, 5, {req}) = {answer!r}: the candidate's log ends at "
            f"(term {req.last_log_term}, index {req.last_log_index}), behind this server's (term "
            "2, index 5); it could not win a real vote here, so it must not win the pre-vote "
            "(§9.6 asks the same log test as RequestVote, §5.4.1)"
        )


def test_grant_pre_vote_refuses_a_term_not_later_than_mine(impl):
    for req_term in (3, 2):
        req = VoteRequest(term=req_term, candidate_id=1, last_log_index=5, last_log_term=2)
        answer = impl.grant_pre_vote(3, False, 2, 5, req)
        assert not answer, (
            f"grant_pre_vote(3, False, 2, 5, {req}) = {answer!r}: the candidate would stand in "
            f"term {req_term}, and this server is already in term 3; an election in that term "
            "cannot be won here, so the pre-vote is no (§9.6)"
        )


@PURE
@given(st.integers(0, 6), st.booleans(), log_end(),
       st.builds(lambda term, cand, end: VoteRequest(term, cand, end[1], end[0]),
                 st.integers(0, 8), st.integers(0, 4), log_end()))
def test_grant_pre_vote_matches_its_three_conditions(impl, cur, heard, mine, req):
    expected = (not heard and req.term > cur
                and (req.last_log_term, req.last_log_index) >= mine)
    answer = impl.grant_pre_vote(cur, heard, mine[0], mine[1], req)
    assert bool(answer) == expected, (
        f"grant_pre_vote({cur}, {heard}, {mine[0]}, {mine[1]}, {req}) = {answer!r}, expected "
        f"{expected}: yes only with no leader heard, a later term, and a log at least as up to "
        "date as mine (§9.6)"
    )


# -- second tier: append_entries --------------------------------------------------------------

def applied(log: list[int], prev_index: int, entries: list[int], keep: int) -> list[int]:
    """What the simulator makes of a log (as terms) from append_entries' answer ``keep``."""
    return log[:keep] + entries[keep - prev_index:]


def kept(impl, log: list[int], prev_index: int, prev_term: int, entries: list[int]):
    return impl.append_entries(list(log), prev_index, prev_term, list(entries))


def test_append_entries_refuses_a_missing_or_different_prev_entry(impl):
    for log, prev_index, prev_term in [([1, 1], 3, 1), ([], 1, 1), ([1, 2, 2], 3, 3),
                                       ([1, 1, 2], 2, 2)]:
        answer = kept(impl, log, prev_index, prev_term, [3])
        assert answer is None, (
            f"append_entries({log}, {prev_index}, {prev_term}, [3]) = {answer!r}: this log holds "
            f"no entry at index {prev_index} with term {prev_term}, so the consistency check "
            "fails: return None and the leader retries from further back (§5.3, Figure 2 step 2)"
        )


def test_append_entries_accepts_from_the_start_and_after_a_match(impl):
    for log, prev_index, prev_term, entries, expected in [
            ([], 0, 0, [1, 1], 0), ([1, 1], 2, 1, [1], 2), ([1, 2], 2, 2, [], 2), ([], 0, 0, [], 0)]:
        answer = kept(impl, log, prev_index, prev_term, entries)
        assert answer == expected, (
            f"append_entries({log}, {prev_index}, {prev_term}, {entries}) = {answer!r}, expected "
            f"{expected}: the entry at index {prev_index} matches (index 0 always does), nothing "
            "conflicts, so every entry of this log stays (§5.3)"
        )


def test_append_entries_keeps_matching_entries_after_a_stale_request(impl):
    log, prev_index, prev_term, entries = [1, 1, 2, 2, 2], 1, 1, [1, 2]
    answer = kept(impl, log, prev_index, prev_term, entries)
    assert answer == 5, (
        f"append_entries({log}, {prev_index}, {prev_term}, {entries}) = {answer!r}, expected 5: "
        "the two entries sent match entries 2 and 3 of this log, so nothing conflicts and all "
        "five entries stay. This request is an old one that arrived late; cutting the log at "
        "prev_index deletes entries 4 and 5, which this server already acknowledged and the "
        "leader may have counted to commit them (Figure 2 step 3: delete only on a conflict)"
    )


def test_append_entries_deletes_a_conflicting_suffix(impl):
    for log, prev_index, prev_term, entries, expected in [
            ([1, 1, 2, 2], 1, 1, [1, 3], 2), ([1, 2, 2, 2], 1, 1, [3], 1), ([2, 2], 0, 0, [3, 3], 0)]:
        answer = kept(impl, log, prev_index, prev_term, entries)
        assert answer == expected, (
            f"append_entries({log}, {prev_index}, {prev_term}, {entries}) = {answer!r}, expected "
            f"{expected}: entry {expected + 1} of this log has term {log[expected]}, the "
            f"leader's has term {entries[expected - prev_index]}; that conflicting entry and "
            "everything after it must go, or this log keeps entries no leader wrote and log "
            "matching breaks (Figure 2 step 3)"
        )


def test_append_entries_compares_terms_by_value(impl):
    log, entries = [1, big(1000), big(1000)], [big(1000), big(1000)]
    answer = kept(impl, log, 1, 1, entries)
    assert answer == 3, (
        f"append_entries([1, 1000, 1000], 1, 1, [1000, 1000]) = {answer!r}, expected 3: the "
        "terms match (equal numbers built separately); compare them with == and !=, not 'is', "
        "or matching entries look like conflicts and are deleted"
    )


def terms_log():
    """A log as its terms: never decreasing, from term 1 up."""
    return st.lists(st.integers(1, 4), max_size=8).map(sorted)


@PURE
@given(terms_log(), terms_log(), st.data())
def test_append_entries_leaves_the_leaders_entries_in_place(impl, mine, leaders, data):
    prev_index = data.draw(st.integers(0, len(leaders)), label="prev_index")
    prev_term = leaders[prev_index - 1] if prev_index else 0
    entries = leaders[prev_index:]
    matches = prev_index == 0 or (prev_index <= len(mine) and mine[prev_index - 1] == prev_term)
    answer = kept(impl, mine, prev_index, prev_term, entries)
    call = f"append_entries({mine}, {prev_index}, {prev_term}, {entries})"
    if not matches:
        assert answer is None, f"{call} = {answer!r}: entry {prev_index} does not match, so None (§5.3)"
        return
    assert answer is not None, f"{call} = None, but entry {prev_index} matches (§5.3)"
    new = applied(mine, prev_index, entries, answer)
    assert new[:prev_index] == mine[:prev_index] and new[prev_index:len(leaders)] == entries, (
        f"{call} = {answer!r} makes this log {new}: it must keep its first {prev_index} "
        f"entries and hold the leader's {entries} right after them: keep matching entries, cut "
        "at the first conflict (Figure 2)"
    )
    conflict = any(a != b for a, b in zip(mine[prev_index:], entries, strict=False))
    if not conflict:
        assert new == mine + entries[len(mine) - prev_index:], (
            f"{call} = {answer!r} makes this log {new}: nothing conflicts, so no entry of it may "
            "be deleted (Figure 2 step 3)"
        )


# -- second tier: advance_commit --------------------------------------------------------------

def test_advance_commit_to_what_a_majority_stores(impl):
    for match, log, term, commit, q, expected in [
            ([5, 5, 5, 2, 1], [3] * 5, 3, 2, 3, 5), ([4, 3, 3, 1, 0], [2, 2, 2, 2], 2, 0, 3, 3),
            ([2, 2, 0], [1, 1], 1, 0, 2, 2)]:
        answer = impl.advance_commit(match, log, term, commit, q)
        assert answer == expected, (
            f"advance_commit({match}, {log}, {term}, {commit}, {q}) = {answer!r}, expected "
            f"{expected}: {q} servers store index {expected} or more, and its entry is from the "
            f"current term {term}, so it is committed (§5.3)"
        )


def test_advance_commit_never_counts_replicas_of_an_old_term(impl):
    match, log, term, commit, q = [3, 2, 2, 1, 1], [1, 2, 4], 4, 1, 3
    answer = impl.advance_commit(match, log, term, commit, q)
    assert answer == 1, (
        f"advance_commit({match}, {log}, {term}, {commit}, {q}) = {answer!r}, expected 1: index "
        "2 is on a majority but its entry is from term 2, and this leader leads term 4. Figure 8: "
        "such an entry can still be overwritten by a leader elected without it, so a leader "
        "commits only entries of its own term by counting replicas (§5.4.2)"
    )


def test_advance_commit_takes_old_entries_along_with_a_current_one(impl):
    match, log, term, commit, q = [3, 3, 3, 1, 1], [1, 2, 4], 4, 1, 3
    answer = impl.advance_commit(match, log, term, commit, q)
    assert answer == 3, (
        f"advance_commit({match}, {log}, {term}, {commit}, {q}) = {answer!r}, expected 3: entry "
        "3, of the current term 4, is on a majority, so it is committed, and entry 2 with it "
        "(§5.4.2)"
    )


def test_advance_commit_never_goes_back(impl):
    for match, log, term, commit, q in [([3, 3, 1, 1, 1], [1, 1, 1, 1], 1, 4, 3),
                                        ([1, 0, 0], [2, 2], 2, 2, 2)]:
        answer = impl.advance_commit(match, log, term, commit, q)
        assert answer == commit, (
            f"advance_commit({match}, {log}, {term}, {commit}, {q}) = {answer!r}: index {commit} "
            "is already committed (a new leader may not know yet that followers have it), and a "
            "commit index never moves back; return it unchanged (Figure 2)"
        )


def test_advance_commit_compares_terms_by_value(impl):
    log = [1, big(1000), big(1000)]
    answer = impl.advance_commit([3, 3, 3, 1, 1], log, big(1000), 1, 3)
    assert answer == 3, (
        f"advance_commit([3, 3, 3, 1, 1], [1, 1000, 1000], 1000, 1, 3) = {answer!r}, expected 3: "
        "entry 3 is of the current term 1000 (equal numbers built separately); compare terms "
        "with ==, not 'is'"
    )


@PURE
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(
    st.just(n), terms_log().filter(bool), st.integers(1, 5), st.data())))
def test_advance_commit_picks_the_highest_current_term_majority(impl, case):
    n, log, term, data = case
    term = max(term, log[-1])
    match = [len(log)] + data.draw(st.lists(st.integers(0, len(log)), min_size=n - 1,
                                            max_size=n - 1), label="followers")
    commit = data.draw(st.integers(0, len(log)), label="commit_index")
    q = n // 2 + 1
    expected = max([i for i in range(1, len(log) + 1)
                    if log[i - 1] == term and sum(m >= i for m in match) >= q] + [commit])
    answer = impl.advance_commit(match, log, term, commit, q)
    assert answer == expected, (
        f"advance_commit({match}, {log}, {term}, {commit}, {q}) = {answer!r}, expected "
        f"{expected}: the highest index stored on {q} servers whose entry is of term {term}, or "
        "the commit index if that is higher (§5.3, §5.4.2)"
    )


def test_advance_commit_through_figure_8(impl):
    # Figure 8 of the paper, played with your advance_commit for every commit (and dslab's
    # append_entries for the followers' logs; servers S1..S5 are 0..4, logs as terms).
    logs = {s: [1] for s in range(5)}
    q = 3

    def replicate(leader: int, to: int) -> None:
        prev = len(logs[to]) if logs[to] == logs[leader][:len(logs[to])] else 1
        keep = rules.append_entries(logs[to], prev, logs[leader][prev - 1], logs[leader][prev:])
        assert keep is not None
        logs[to] = applied(logs[to], prev, logs[leader][prev:], keep)

    # (a) S1 leads term 2 and gets entry 2 to S2 only.
    logs[0].append(2)
    replicate(0, 1)
    # (b) S1 crashes; S5 wins term 3 with votes of S3, S4, S5 and writes its own entry 2.
    logs[4].append(3)
    # (c) S1 restarts, wins term 4 (S1, S2, S3), writes entry 3 and gets entry 2 to S3: entry
    # 2, of term 2, is now on a majority.
    logs[0].append(4)
    logs[2] = logs[2][:1] + [2]
    match = [3, 2, 2, 1, 1]
    answer = impl.advance_commit(match, logs[0], 4, 1, q)
    assert answer == 1, (
        f"Figure 8 (c): advance_commit({match}, {logs[0]}, 4, 1, {q}) = {answer!r}. Entry 2 is "
        "from term 2 and sits on S1, S2 and S3; in (d) S1 crashes, S5 wins term 5 with votes of "
        "S2, S3 and S4 (its last term, 3, beats their 2) and overwrites entry 2 everywhere. Had "
        "S1 committed it, a committed entry would be lost (§5.4.2: count only current-term "
        "entries)"
    )
    # (d) instead, S1 gets entry 3 of term 4 to S2 and S3 before crashing.
    replicate(0, 1)
    replicate(0, 2)
    match = [3, 3, 3, 1, 1]
    answer = impl.advance_commit(match, logs[0], 4, 1, q)
    assert answer == 3, (
        f"Figure 8 (e): advance_commit({match}, {logs[0]}, 4, 1, {q}) = {answer!r}, expected "
        "3: entry 3 of term 4 is on a majority, so it commits, and entry 2 with it; now S5 can "
        "never win (its last term 3 is behind the majority's 4)"
    )


def test_append_entries_through_figure_8(impl):
    # Figure 8 (d): S5, leader of term 5, overwrites entry 2 of S2 (term 2) with its own (term 3).
    log, entries = [1, 2], [3]
    answer = kept(impl, log, 1, 1, entries)
    assert answer == 1, (
        f"Figure 8 (d): append_entries({log}, 1, 1, {entries}) = {answer!r}, expected 1: S5's "
        "entry 2 is from term 3 and S2's from term 2, a conflict; S2's entry 2 must go so that "
        "S2's log matches its leader's (Figure 2 step 3)"
    )


# -- the rules in a running cluster -----------------------------------------------------

def replay(seed: int, overrides: dict[str, str]) -> str:
    return LAB.replay_command("default", seed, overrides, shown_path(IMPL_PATH))


def test_all_rules_elect_a_leader_in_a_healthy_cluster(impl):
    for seed in (1, 2, 3):
        params = LAB.make_params("default", {"duration_ms": "2000"})
        cluster = RaftCluster(params, seed, impl)
        cluster.finish()
        assert cluster.monitor.leaders, (
            f"seed {seed}: no leader in 2000 ms of five healthy servers; watch it with: "
            f"{replay(seed, {'duration_ms': '2000'})} (a leader needs yes votes from grant_vote, "
            "old votes cleared by observe_term, and quorum and election_won to count them)"
        )


faults = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "nodes": st.sampled_from([3, 5, 5, 7]),
    "partition_at_ms": st.sampled_from([None, 600.0, 1200.0, 1800.0]),
    "minority": st.integers(1, 3),
    "heal_after_ms": st.sampled_from([None, 400.0, 900.0]),
    "crash_leader_at_ms": st.sampled_from([None, 800.0, 2000.0]),
    "loss": st.sampled_from([0.0, 0.0, 0.05, 0.15]),
    "election_timeout_ms": st.sampled_from(["uniform(150,300)", "uniform(150,165)"]),
})


def fault_overrides(f: dict) -> dict[str, str]:
    """A generated fault schedule as the ``--set`` values of ``dslab run raft``."""
    over = {"duration_ms": "3000"}
    if f["nodes"] != 5:
        over["nodes"] = str(f["nodes"])
    if f["partition_at_ms"] is not None:
        over["partition_at_ms"] = f"{f['partition_at_ms']:g}"
        over["minority"] = str(min(f["minority"], (f["nodes"] - 1) // 2))
        if f["heal_after_ms"] is not None:
            over["heal_at_ms"] = f"{f['partition_at_ms'] + f['heal_after_ms']:g}"
    if f["crash_leader_at_ms"] is not None:
        over["crash_leader_at_ms"] = f"{f['crash_leader_at_ms']:g}"
    if f["loss"]:
        over["loss"] = f"{f['loss']:g}"
    if f["election_timeout_ms"] != "uniform(150,300)":
        over["election_timeout_ms"] = f["election_timeout_ms"]
    return over


@CLUSTER
@given(faults)
def test_all_rules_keep_a_cluster_safe_under_faults(impl, f):
    seed, over = f["seed"], fault_overrides(f)
    params = LAB.make_params("default", over)
    try:
        result = LAB.run(params, seed, impl=impl)
    except NotImplementedError:
        raise
    except Exception as e:
        raise AssertionError(
            f"seed {seed}: your rules raised {type(e).__name__}: {e}. Replay it with: "
            f"{replay(seed, over)}"
        ) from e
    broken = [c for c in result.checks if not c.passed]
    assert not broken, (
        f"seed {seed} broke '{broken[0].name}'; replay it with: {replay(seed, over)}\n"
        + "\n".join(f"{c.name}: {c.detail}" for c in broken)
    )


# -- each second-tier rule of yours in a running cluster, dslab's rules doing the rest --------

def only(impl, rule: str):
    """dslab's rules with your ``rule`` in place of its own: a failure here is that rule's."""
    mixed = dict(vars(LAB.load_impl()))
    mixed.update({rule: getattr(impl, rule), "source": impl.source,
                  "_watch": getattr(impl, "_watch", None)})
    return SimpleNamespace(**mixed)


def cluster_safety_problem(cluster: RaftCluster) -> str | None:
    """The first broken safety check of a finished run, or two servers that applied different
    commands at one index (their logs up to their commit indexes disagree), or None."""
    broken = [c for c in cluster.monitor.verdicts() if not c.passed]
    if broken:
        return f"'{broken[0].name}' broke: {broken[0].detail}"
    applied_now = {s.id: s.log[:s.commit_index] for s in cluster.servers}
    for a in applied_now:
        for b in applied_now:
            common = min(len(applied_now[a]), len(applied_now[b]))
            if a < b and applied_now[a][:common] != applied_now[b][:common]:
                k = next(i for i in range(common) if applied_now[a][i] != applied_now[b][i]) + 1
                return (f"servers {a} and {b} applied different commands at index {k}: "
                        f"{applied_now[a][k - 1]} and {applied_now[b][k - 1]} (term, command)")
    return None


schedules = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "nodes": st.sampled_from([3, 5, 5]),
    "pre_vote": st.booleans(),
    "crashes": st.lists(st.tuples(st.sampled_from([300.0, 700.0, 1100.0, 1500.0]),
                                  st.sampled_from([150.0, 400.0, 900.0])), max_size=3),
    "cut_at_ms": st.sampled_from([None, 500.0, 1000.0]),
    "cut_for_ms": st.sampled_from([300.0, 800.0]),
    "loss": st.sampled_from([0.0, 0.05]),
})


def run_schedule(impl, f: dict, strict: bool) -> tuple[RaftCluster, str]:
    """A generated schedule of crashes and restarts of whoever leads, and a partition, run for
    2 s; with it, how to replay the run in Python."""
    params = LAB.make_params("default", {"duration_ms": "2000", "nodes": str(f["nodes"]),
                                         "pre_vote": str(f["pre_vote"]).lower(),
                                         "loss": f"{f['loss']:g}"})
    faults: list = []
    for k, (at, down_for) in enumerate(f["crashes"]):
        server = (f["seed"] + k) % f["nodes"]
        faults += [Crash(at, server), Restart(at + down_for, server)]
    if f["cut_at_ms"] is not None:
        minority = tuple(range(f["nodes"] // 2))
        faults.append(Partition(f["cut_at_ms"], (minority,), until_ms=f["cut_at_ms"] + f["cut_for_ms"]))
    cluster = RaftCluster(params, f["seed"], impl, faults=faults, strict=strict)
    cluster.finish()
    replay = (f"RaftCluster(LAB.make_params('default', {{'duration_ms': '2000', 'nodes': "
              f"'{f['nodes']}', 'pre_vote': '{str(f['pre_vote']).lower()}', 'loss': "
              f"'{f['loss']:g}'}}), seed={f['seed']}, faults={faults})")
    return cluster, replay


@CLUSTER_T2
@given(schedules)
def test_append_entries_keeps_state_machines_safe_under_faults(impl, f):
    cluster, replay = run_schedule(only(impl, "append_entries"), f, strict=True)
    problem = cluster_safety_problem(cluster)
    assert problem is None, (
        f"with your append_entries (dslab's other rules), seed {f['seed']}: {problem}. The run: "
        f"{replay}"
    )


@CLUSTER_T2
@given(schedules)
def test_advance_commit_keeps_state_machines_safe_under_faults(impl, f):
    cluster, replay = run_schedule(only(impl, "advance_commit"), f, strict=True)
    problem = cluster_safety_problem(cluster)
    assert problem is None, (
        f"with your advance_commit (dslab's other rules), seed {f['seed']}: {problem}. The run: "
        f"{replay}"
    )


def test_grant_pre_vote_spares_the_leader_when_a_follower_rejoins(impl):
    over = {"pre_vote": "true"}
    for seed in (1, 2, 3):
        params = LAB.make_params("rejoin", over)
        cluster = RaftCluster(params, seed, only(impl, "grant_pre_vote"), strict=True)
        cluster.finish()
        downs = [d for d in cluster.monitor.step_downs if d.disruptive]
        assert cluster.monitor.leaders and not downs, (
            f"seed {seed}: with PreVote on and your grant_pre_vote, "
            + (f"leader {downs[0].node} of term {downs[0].old_term} stepped down at "
               f"t={downs[0].t_ms:.0f} ms for term {downs[0].new_term}, which no server could "
               "have won: a pre-vote said yes where it should not (§9.6)"
               if downs else "no leader was ever elected: a pre-vote never says yes")
            + f". Watch it: {LAB.replay_command('rejoin', seed, over, shown_path(IMPL_PATH))}"
        )


@CLUSTER_T2
@given(schedules)
def test_all_rules_keep_state_machines_safe_under_crashes_and_restarts(impl, f):
    try:
        cluster, replay = run_schedule(impl, f, strict=False)
    except NotImplementedError:
        raise
    except Exception as e:
        raise AssertionError(f"seed {f['seed']}: your rules raised {type(e).__name__}: {e}") from e
    problem = cluster_safety_problem(cluster)
    assert problem is None, f"seed {f['seed']}: {problem}. The run: {replay}"
