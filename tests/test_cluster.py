"""Trials, comparisons and sweeps on a Dask cluster give what they give locally, seed for seed.
One LocalCluster (a scheduler and one worker process, started in about a second) serves the file."""

from __future__ import annotations

import sys

import pytest

from dslab import compare, execution, get_lab, sweep
from dslab.cli import main
from dslab.errors import InputError
from dslab.trials import run_trials

distributed = pytest.importorskip(
    "distributed", reason='dask.distributed is not installed: pip install -e ".[cluster]" (the '
    "[test] extra has it) to test trials on a Dask cluster")

QUEUE = get_lab("queueing")
SMALL = {"customers": "300", "warmup_ms": "0"}
TINY = ["--set", "customers=300", "--set", "warmup_ms=0"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  dashboard_address=None) as c:
        yield c


def tasks_run(c) -> int:
    """How many task transitions the cluster's scheduler has seen: it grows when work went there."""
    return c.scheduler.transition_counter


def test_trials_on_the_cluster_equal_local_trials(cluster):
    params = QUEUE.make_params("default", SMALL)
    before = tasks_run(cluster)
    remote = run_trials(QUEUE, params, 3, 6, scheduler=cluster.scheduler_address)
    assert tasks_run(cluster) > before
    assert remote.to_json() == run_trials(QUEUE, params, 3, 6, workers=1).to_json()


def test_a_sweep_and_a_comparison_on_the_cluster_equal_local_ones(cluster):
    grid = [("servers", ["1", "2"])]
    remote = sweep.sweep(QUEUE, "default", grid, "W_ms", 3, 2, SMALL,
                         scheduler=cluster.scheduler_address)
    assert remote.to_json() == sweep.sweep(QUEUE, "default", grid, "W_ms", 3, 2, SMALL,
                                           workers=1).to_json()
    remote_cmp = compare.compare(QUEUE, "default", "servers", ["1", "2"], 2, 3, SMALL,
                                 scheduler=cluster.scheduler_address)
    local_cmp = compare.compare(QUEUE, "default", "servers", ["1", "2"], 2, 3, SMALL, workers=1)
    assert remote_cmp.to_json() == local_cmp.to_json()


def test_the_cli_takes_the_scheduler_from_the_environment(cluster, monkeypatch, capsys):
    argv = ["run", "queueing", "--trials", "3", "--json", *TINY]
    assert main(argv) == 0
    local = capsys.readouterr().out
    monkeypatch.setenv(execution.SCHEDULER_ENV, cluster.scheduler_address)
    before = tasks_run(cluster)
    assert main(argv) == 0
    assert capsys.readouterr().out == local and tasks_run(cluster) > before


def test_a_learners_mistake_on_a_worker_is_still_one_sentence(cluster, capsys):
    stubs = str(QUEUE.lab_dir() / "exercise.py")
    code = main(["run", "queueing", "--trials", "2", "--impl", stubs, "--scheduler",
                 cluster.scheduler_address, *TINY])
    err = capsys.readouterr().err
    assert code == 2 and "not implemented" in err.lower() and "Traceback" not in err


def test_an_address_that_is_not_one_is_refused_before_any_run(capsys):
    assert main(["run", "queueing", "--trials", "2", "--scheduler", "localhost:8786", *TINY]) == 2
    assert "tcp://HOST:8786" in capsys.readouterr().err


def test_without_distributed_the_cluster_is_one_sentence_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    with pytest.raises(InputError) as e:
        execution.run_jobs(str, [1], scheduler="tcp://127.0.0.1:1")
    assert "dslab-labs[cluster]" in (e.value.hint or "")
