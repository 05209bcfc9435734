"""The quorum lab's runs: strict quorums never read stale under generated faults, the outcomes
the lab exists to show (stale reads under a sloppy quorum, lost writes under skew), each safety
check breaking on the bug it is there for, bad input refused in one sentence, the CLI and the
plots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.cli import main
from dslab.errors import InputError
from dslab.labs.quorum import checks
from dslab.labs.quorum.client import Client
from dslab.labs.quorum.lab import LAB

HERE = Path(__file__).resolve().parent


def failed(result) -> dict[str, str]:
    return {c.name: c.detail for c in result.checks if not c.passed}


faults = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "nrw": st.sampled_from([(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3), (5, 2, 4), (5, 1, 5)]),
    "loss": st.sampled_from(["0", "0.1"]),
    "down": st.sampled_from(["none", "0", "1", "0,4"]),
    "partition": st.sampled_from([None, "0", "1,2", "2,3"]),
    "propagation": st.sampled_from(["all", "quorum-only"]),
    "keys": st.sampled_from(["none", "3"]),
    "clock_skew_ms": st.sampled_from(["0", "30"]),
    "read_repair": st.booleans(),
    "anti_entropy_ms": st.sampled_from(["none", "40"]),
})


@settings(max_examples=8, derandomize=True, deadline=None, database=None)
@given(faults)
def test_strict_quorums_never_read_stale_under_generated_faults(f):
    n, r, w = f["nrw"]
    over = {"n": str(n), "r": str(r), "w": str(w), "nodes": str(n + 2), "writes": "100",
            "duration_ms": "1200", "timeout_ms": "200", "loss": f["loss"], "down": f["down"],
            "propagation": f["propagation"], "keys": f["keys"],
            "clock_skew_ms": f["clock_skew_ms"], "read_repair": str(f["read_repair"]).lower(),
            "anti_entropy_ms": f["anti_entropy_ms"], "latency_profile": "lnkd-disk"}
    if f["partition"]:
        over.update(partitioned=f["partition"], partition_at_ms="300", heal_at_ms="800")
    result = LAB.run(LAB.make_params("default", over), f["seed"])
    assert not failed(result), (over, failed(result))
    stale = result.metrics["stale_read_fraction"]
    assert stale == 0 or stale != stale, over  # zero, or NaN when no read completed


def test_a_sloppy_quorum_reads_stale_though_r_plus_w_exceeds_n_until_the_hints_come_home():
    over = {"writes": "600", "duration_ms": "4000", "partition_at_ms": "1000", "heal_at_ms": "2500"}
    sloppy = LAB.run(LAB.make_params("sloppy", over), 1, scenario="sloppy")
    assert not failed(sloppy)
    assert sloppy.metrics["write_availability"] == 1.0
    assert sloppy.metrics["stale_read_fraction"] > 0.05  # about a third of the partition's reads
    assert sloppy.metrics["converged_fraction"] == 1.0  # handoff delivered every hint
    strict = LAB.run(LAB.make_params("sloppy", {**over, "sloppy": "false"}), 1)
    assert strict.metrics["stale_read_fraction"] == 0.0
    assert strict.metrics["write_availability"] < 0.8  # writes during the partition fail


def test_skewed_last_writer_wins_loses_acknowledged_writes_and_no_skew_loses_none():
    skewed = LAB.run(LAB.make_params("clock-skew"), 1, scenario="clock-skew")
    assert skewed.metrics["lost_writes"] > 5 and not failed(skewed)
    fair = LAB.run(LAB.make_params("clock-skew", {"clock_skew_ms": "0"}), 1)
    assert fair.metrics["lost_writes"] == 0


# -- each check breaks on the bug it exists for ----------------------------------------------------

def test_the_freshness_check_catches_a_read_that_returns_the_first_answer():
    impl = LAB.load_impl(HERE / "mutants" / "first_response_wins.py")
    result = LAB.run(LAB.make_params("default", {"writes": "300", "keys": "3",
                                                 "latency_profile": "lnkd-disk"}), 1, impl)
    assert checks.FRESH in failed(result)


def test_the_stored_check_catches_a_coordinator_that_acknowledges_on_the_first_ack(monkeypatch):
    real = Client._ack

    def hasty(self, index, replica):
        pair = self.writing.get(index)
        real(self, index, replica)
        if pair is not None and pair.commit_ms is None:  # commit after one ack, whatever w is
            pair.commit_ms = self.now
            self.on_commit(pair)

    monkeypatch.setattr(Client, "_ack", hasty)
    result = LAB.run(LAB.make_params("default", {"writes": "50"}), 1)
    assert checks.STORED in failed(result)


def test_the_written_check_catches_a_read_that_makes_up_a_version(tmp_path):
    path = tmp_path / "exercise.py"
    path.write_text("from dslab.labs.quorum.rules import *  # noqa: F403\n"
                    "from dslab.labs.quorum import rules as _r\n\n"
                    "def resolve(responses):\n"
                    "    best = _r.resolve(responses)\n"
                    "    return None if best is None else Version(best.ts_ms, best.writer, 0)\n")
    result = LAB.run(LAB.make_params("default", {"writes": "50"}), 1, LAB.load_impl(path))
    assert checks.WRITTEN in failed(result)


def test_the_monotonic_check_catches_a_replica_that_takes_whatever_arrives_last(tmp_path):
    path = tmp_path / "exercise.py"
    path.write_text("from dslab.labs.quorum.rules import *  # noqa: F403\n\n"
                    "def resolve(responses):\n"
                    "    held = [r.version for r in responses if r.version is not None]\n"
                    "    return held[-1] if held else None\n")
    result = LAB.run(LAB.make_params("clock-skew"), 1, LAB.load_impl(path))
    assert checks.MONOTONIC in failed(result)


# -- input, the command line, plots ----------------------------------------------------------------

@pytest.mark.parametrize("sets, words", [
    (["r=4"], "r must be between 1 and n = 3"),
    (["w=0"], "w must be between 1 and n = 3"),
    (["n=0"], "n, the replicas of a key, must be between 1"),
    (["loss=1"], "loss is a probability in [0, 1)"),
    (["loss=-0.1"], "loss is a probability in [0, 1)"),
    (["latency_profile=lnkd-dsk"], "Did you mean 'lnkd-disk'?"),
    (["propagation=some"], "propagation is one of all, quorum-only"),
    (["down=7"], "down names node 7"),
])
def test_bad_input_is_one_sentence_and_exit_2(capsys, sets, words):
    argv = ["run", "quorum", "--no-plot"]
    for s in sets:
        argv += ["--set", s]
    assert main(argv) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert words in err and "Traceback" not in err
    with pytest.raises(InputError):
        LAB.make_params("default", dict(s.split("=") for s in sets))


def test_the_json_of_a_run_is_the_same_bytes_for_the_same_command(capsys):
    argv = ["run", "quorum", "--clock-skew", "--json", "--seed", "4"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == first
    data = json.loads(first)
    assert data["metrics"]["lost_writes"] > 0 and data["scenario"] == "clock-skew"


def test_a_stepped_run_keeps_the_messages_in_order_when_asked():
    run = LAB.start(LAB.make_params("default", {"writes": "3"}), 1, events=True).finish()
    events = run.events()
    kinds = {e["kind"] for e in events}
    assert kinds == {"write", "ack", "read", "response"}
    assert sum(e["kind"] == "write" for e in events) == 9  # three pairs, three replicas each
    with pytest.raises(InputError, match="records no events"):
        LAB.start(LAB.make_params("default"), 1).events()


@pytest.mark.parametrize("scenario, over", [
    ("sloppy", {"writes": "300"}), ("clock-skew", {}), ("tradeoff", {"writes": "300"}),
    ("crash", {"writes": "100"}), ("repair", {"writes": "100"}),
    ("partial", {"writes": "500"}),
])
def test_each_scenarios_plot_is_titled_and_drawn(scenario, over, tmp_path):
    result = LAB.run(LAB.make_params(scenario, over), 1, scenario=scenario)
    fig = LAB.plot(result)
    assert fig.axes[0].get_title(loc="left").startswith(f"{LAB.title}: {scenario} (seed 1)")
    fig.savefig(tmp_path / "p.png", dpi=40)
    assert (tmp_path / "p.png").stat().st_size > 3000
