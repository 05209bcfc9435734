"""``--compare NAME=A,B``: each value on the same seed, each metric's difference, and with trials the
paired difference over the same derived seeds."""

from __future__ import annotations

import io
import json

import pytest

from dslab import compare, get_lab
from dslab.cli import build_parser, main
from dslab.errors import InputError
from dslab.sim.stats import mean_ci95
from dslab.trials import trial_seeds

QUEUE = get_lab("queueing")
SMALL = {"customers": "400", "warmup_ms": "0"}  # a few hundred customers: a run takes ~0.1 s


def test_values_split_at_commas_outside_parentheses():
    assert compare.parse_compare("election_timeout_ms=uniform(150,300),const(5)") == (
        "election_timeout_ms", ["uniform(150,300)", "const(5)"])
    assert compare.parse_compare("policy=none, lock") == ("policy", ["none", "lock"])


@pytest.mark.parametrize("text", ["servers", "servers=1", "servers=1,1", "=1,2", "servers=1,,2",
                                  "servers=1,2,3,4,5,6,7"])
def test_a_malformed_comparison_is_one_sentence(text):
    with pytest.raises(InputError):
        compare.parse_compare(text)


def test_one_seed_gives_each_values_own_run_and_their_difference():
    cmp = compare.compare(QUEUE, "default", "servers", ["1", "2"], seed=4, overrides=SMALL)
    alone = [QUEUE.run(QUEUE.make_params("default", {**SMALL, "servers": v}), 4) for v in "12"]
    assert [r.metrics for r in cmp.runs] == [r.metrics for r in alone]
    for m in alone[0].metrics:
        assert cmp.differences["2"][m] == pytest.approx(alone[1].metrics[m] - alone[0].metrics[m])
    assert cmp.differences["2"]["W_ms"] < 0  # a second server shortens the wait
    fig = compare.plot(QUEUE, cmp)
    assert len(fig.axes) >= 2
    fig.savefig(io.BytesIO(), format="png", dpi=30)


def test_trials_pair_each_seed_with_itself():
    cmp = compare.compare(QUEUE, "default", "servers", ["1", "2"], seed=3, trials=5,
                          overrides=SMALL, workers=1)
    seeds = trial_seeds(3, 5)
    w = {v: [QUEUE.run(QUEUE.make_params("default", {**SMALL, "servers": v}), s).metrics["W_ms"]
             for s in seeds] for v in "12"}
    m, lo, hi = mean_ci95([b - a for a, b in zip(w["1"], w["2"], strict=True)])
    d = cmp.differences["2"]["W_ms"]
    assert (d.mean, d.ci95_low, d.ci95_high, d.n) == pytest.approx((m, lo, hi, 5))
    assert d.ci95_high < 0
    assert [a.seeds for a in cmp.arms] == [seeds, seeds]
    compare.plot(QUEUE, cmp).savefig(io.BytesIO(), format="png", dpi=30)


def test_metrics_keyed_by_the_compared_value_line_up():
    assert compare.common_names({"p99[lock]": 3, "p99[none]": 1, "n": 2}, "lock") == {
        "p99": 3, "p99[none]": 1, "n": 2}


def test_the_cli_prints_paired_differences_as_json(capsys):
    code = main(["run", "queueing", "--compare", "servers=1,2", "--trials", "3", "--workers", "1",
                 "--set", "customers=300", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["compare"] == {"servers": ["1", "2"]}
    assert set(out["arms"]) == {"1", "2"} and out["differences"]["2"]["W_ms"]["n"] == 3


def test_the_cli_draws_one_picture(tmp_path, capsys):
    code = main(["run", "queueing", "--compare", "servers=1,2", "--set", "customers=300",
                 "--out", str(tmp_path)])
    assert code == 0
    assert "2 − 1" in capsys.readouterr().out
    assert len(list(tmp_path.glob("queueing-default-compare-servers-seed1-*.png"))) == 1


@pytest.mark.parametrize("argv", [["--compare", "servers=1"], ["--compare", "nope=1,2"],
                                  ["--compare", "servers=1,2", "--set", "servers=3"],
                                  ["--compare", "servers=1,01"]])
def test_bad_comparisons_exit_2_with_one_sentence(argv, capsys):
    assert main(["run", "queueing", "--set", "customers=300", *argv]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_a_bare_compare_still_picks_lsms_scenario_of_that_name():
    lsm = get_lab("lsm")
    assert build_parser(lsm).parse_args(["run", "lsm", "--compare"]).scenario == "compare"
    args = build_parser(lsm).parse_args(["run", "lsm", "--compare", "strategy=leveled,tiered"])
    assert args.scenario is None and args.compare == "strategy=leveled,tiered"
