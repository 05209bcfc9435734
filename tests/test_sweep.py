"""``dslab sweep``: every cell equals a separate run of its parameters, the heatmap carries the
theory's boundary, and the learner gets CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dslab import get_lab, sweep
from dslab.cli import main
from dslab.errors import InputError
from dslab.labs.retries.theory import collapse_margin
from dslab.trials import run_trials

QUEUE = get_lab("queueing")
SMALL = {"customers": "300", "warmup_ms": "0"}
GRID = [("servers", ["1", "2"]), ("arrival_rate_per_s", ["40", "80", "120"])]


@pytest.fixture(scope="module")
def queue_sweep():
    return sweep.sweep(QUEUE, "default", GRID, "W_ms", trials=3, seed=5, overrides=SMALL, workers=1)


def test_each_cell_equals_a_separate_run_of_its_parameters(queue_sweep):
    assert len(queue_sweep.cells) == 6
    for cell in queue_sweep.cells:
        params = QUEUE.make_params("default", {**SMALL, **cell.settings})
        alone = run_trials(QUEUE, params, 5, 3, workers=1)
        assert cell.trials.metrics == alone.metrics
        assert cell.trials.seeds == alone.seeds


def test_the_grid_puts_the_first_axis_across_and_the_second_up(queue_sweep):
    grid = queue_sweep.grid()
    assert len(grid) == 3 and len(grid[0]) == 2  # rows: arrival rates; columns: servers
    for row in grid:
        assert row[1] < row[0]  # two servers wait less than one at every load
    assert grid[0][0] < grid[2][0]  # and one waits longer as load grows
    assert not queue_sweep.probability


def test_the_queue_boundary_is_where_offered_load_meets_the_servers(queue_sweep):
    # 10 ms each: one server takes 100 a second, so only 120/s on one server is past it
    assert queue_sweep.boundary == "offered load = servers (λ·E[S] = c)"
    over = {(c.settings["servers"], c.settings["arrival_rate_per_s"]): c.margin
            for c in queue_sweep.cells}
    assert over[("1", "120")] == pytest.approx(0.2)
    assert all(m < 0 for key, m in over.items() if key != ("1", "120"))
    assert QUEUE.boundary(QUEUE.make_params("closed")) is None  # users never offer more


def test_csv_and_json_hold_every_cell_and_metric(queue_sweep):
    rows = list(csv.DictReader(io.StringIO(queue_sweep.to_csv())))
    metrics = queue_sweep.cells[0].trials.metrics
    assert len(rows) == 6 * len(metrics)
    first = next(r for r in rows if r["metric"] == "W_ms")
    assert float(first["mean"]) == pytest.approx(queue_sweep.cells[0].trials.metrics["W_ms"]["mean"],
                                                 rel=1e-5)
    data = json.loads(queue_sweep.to_json())
    assert data["grid"] == {"servers": ["1", "2"], "arrival_rate_per_s": ["40", "80", "120"]}
    assert len(data["cells"]) == 6


def test_the_retry_boundary_is_rate_times_one_plus_k_over_capacity():
    lab = get_lab("retries")
    p = lab.make_params("metastable", {"arrival_rate_per_s": "300", "retries": "1"})
    assert collapse_margin(p) == pytest.approx(300 * 2 - p.capacity_per_s)
    assert lab.boundary(p) == ("rate × (1 + k) = capacity", pytest.approx(100.0))
    assert lab.boundary(lab.make_params("default")) is None  # three policies at once
    assert lab.boundary(lab.make_params("jitter")) is None  # an experiment without one


def test_boundary_segments_separate_cells_of_opposite_sides():
    margins = [[-1.0, 1.0], [-1.0, None]]
    assert sweep.boundary_segments(margins) == [((0.5, -0.5), (0.5, 0.5))]
    assert sweep.boundary_segments([[0.0, 1.0]]) == []  # 0 is on the positive side
    assert sweep.boundary_segments([[-1.0], [0.0]]) == [((-0.5, 0.5), (0.5, 0.5))]


def test_a_yes_no_metric_is_drawn_as_a_probability_with_the_boundary(tmp_path):
    lab = get_lab("retries")
    sw = sweep.sweep(lab, "metastable", [("retries", ["0", "2"])], "recovered", trials=2,
                     overrides={"duration_ms": "20000", "trigger_size": "5",
                                "arrival_rate_per_s": "250"}, workers=1)
    assert sw.metric == "recovered[immediate]" and sw.probability
    assert sw.grid() == [[1.0, 0.0]]  # below the boundary it recovers, above it stays down
    assert [c.margin for c in sw.cells] == [-250.0, 250.0]
    fig = sweep.plot(lab, sw)
    assert fig.axes[0].get_legend() is not None
    fig.savefig(io.BytesIO(), format="png", dpi=30)


def test_a_bare_metric_name_stands_for_its_keyed_form():
    assert sweep.pick_metric("recovered", ["recovered[immediate]", "x"]) == "recovered[immediate]"
    with pytest.raises(InputError, match="name one"):
        sweep.pick_metric("recovered", ["recovered[none]", "recovered[immediate]"])
    with pytest.raises(InputError, match="not a metric"):
        sweep.pick_metric("W", ["W_ms"])


def test_the_cli_writes_heatmap_csv_and_json(tmp_path, capsys):
    code = main(["sweep", "queueing", "--grid", "servers=1,2", "--grid", "arrival_rate_per_s=40,80",
                 "--metric", "p99_ms", "--trials", "2", "--workers", "1", *TINY,
                 "--out", str(tmp_path)])
    assert code == 0
    assert "mean p99_ms" in capsys.readouterr().out
    assert {p.suffix for p in tmp_path.iterdir()} == {".csv", ".json", ".png"}


TINY = ["--set", "customers=200", "--set", "warmup_ms=0"]
MANY = "arrival_rate_per_s=" + ",".join(str(x) for x in range(10, 210, 10))


@pytest.mark.parametrize("argv, says", [
    ([], "needs at least one --grid"),
    (["--grid", "servers=1,2", "--grid", "customers=100,200", "--grid", "burst_ms=1,2"],
     "one or two --grid axes"),
    (["--grid", "servers=1,2", "--grid", "servers=3"], "twice"),
    (["--grid", "servers"], "--grid takes NAME=V1,V2"),
    (["--grid", "nope=1,2"], "not a parameter"),
    (["--grid", "servers=1,0"], "servers"),
    (["--grid", "servers=1,2", "--set", "servers=3"], "both set"),
    (["--grid", "servers=1,2", "--trials", "1000", "--grid", MANY], "more than 20,000"),
    (["--grid", "servers=1,2", "--metric", "W_m", "--trials", "1", "--json"], "Did you mean 'W_ms'?"),
])
def test_bad_sweeps_exit_2_with_one_sentence(argv, says, capsys):
    metric = [] if "--metric" in argv else ["--metric", "W_ms"]
    assert main(["sweep", "queueing", *metric, *TINY, *argv]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "error:" in err and "Traceback" not in err and says in err
