"""The checker behind ``dslab check raft``: your five rules, one behaviour per test.

Each test is named after the rule it checks, and each failure says what your code answered,
what Raft expects, and which part of the paper the answer breaks (Figure 2, §5.2, §5.4.1).
The last tests run a whole simulated cluster on your rules under generated faults.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.exercise_support import checker_settings, exercise_path, learner_rules, shown_path
from dslab.labs.raft import rules
from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.lab import LAB
from dslab.labs.raft.params import MAX_NODES
from dslab.labs.raft.rules import CANDIDATE, FOLLOWER, LEADER, VoteRequest

IMPL_PATH = exercise_path(__file__)

# The same examples on every run (dslab.exercise_support.checker_settings says how).
PURE = checker_settings(max_examples=150)
CLUSTER = checker_settings(max_examples=30)


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


# -- all five rules in a running cluster -----------------------------------------------------

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
