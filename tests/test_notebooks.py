"""Every notebook in notebooks/ runs top to bottom without an error, and is committed clean:
no outputs and no execution counts, so diffs show only what a person wrote."""

from __future__ import annotations

import json
import re
import sys

import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 120


def _require(module: str):
    try:
        return __import__(module)
    except ImportError:
        pytest.fail(f"{module} is not installed, so the notebooks cannot run: pip install -e '.[test]'")


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {REPO / 'notebooks'}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, tmp_path):
    nbformat = _require("nbformat")
    nbclient = _require("nbclient")
    _require("ipykernel")  # provides the "python3" kernel: the interpreter running the tests
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    # The kernel inherits this process's environment: no display, nothing rendered on screen.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    _pin_python3_kernel(tmp_path, monkeypatch)
    nb = nbformat.read(path, as_version=4)
    current = {"cell": None}

    def note_cell(cell, cell_index, **_):
        current["cell"] = cell_index

    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT_S, on_cell_start=note_cell,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # the kernel colours its tracebacks
        pytest.fail(f"{path.name}: cell {current['cell']} raised an error\n{plain}", pytrace=False)
    except CellTimeoutError:
        pytest.fail(f"{path.name}: cell {current['cell']} ran longer than {CELL_TIMEOUT_S} s",
                    pytrace=False)
    except DeadKernelError as exc:
        pytest.fail(f"{path.name}: the kernel died in cell {current['cell']}: {exc}", pytrace=False)


def _pin_python3_kernel(tmp_path, monkeypatch) -> None:
    """Make the "python3" kernel this interpreter, which has dslab installed, even if a user's
    own kernel spec of that name points at another Python (JUPYTER_PATH is searched first)."""
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (dslab tests)", "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nbformat = _require("nbformat")
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before "
        f"committing (e.g. jupyter nbconvert --clear-output --inplace notebooks/{path.name})"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_steps_its_lab_through_the_public_api(path):
    """A notebook drives its lab with ``Lab.start`` (run_until, state, finish, result) and never
    builds a model class itself, so it keeps working when a lab's insides change."""
    nbformat = _require("nbformat")
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "code")
    assert "dslab.get_lab(" in code and ".start(" in code
    internals = re.findall(r"from dslab\.labs\.\w+\.(?:lab|cluster|model|overload|experiments|checks)"
                           r" import", code)
    assert not internals, f"{path.name} reaches into the lab: {internals}"
