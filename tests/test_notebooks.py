"""Every notebook in notebooks/ runs top to bottom without an error, shows every plot as an
image, and is committed clean: no outputs and no execution counts, so diffs show only what a
person wrote.

A cell that draws carries the tag ``plot`` in its metadata (in Jupyter: the property inspector's
"Cell Tags"); the executed notebook must show an image for each such cell, and for no other."""

from __future__ import annotations

import json
import re
import sys

import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 120
PLOT_TAG = "plot"
#: what a figure prints when it is returned but never drawn (a headless Figure without a display
#: formatter): the bug these tests keep out
UNDRAWN = "<Figure size"


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
    _assert_plots_are_images(path.name, nb)


def _tagged(cell) -> bool:
    return PLOT_TAG in cell.get("metadata", {}).get("tags", [])


def _assert_plots_are_images(name: str, nb) -> None:
    """Every cell tagged ``plot`` showed a PNG, no untagged cell did, and nothing printed a figure's
    repr instead of drawing it."""
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    drew = {i for i, c in code if any("image/png" in o.get("data", {}) for o in c.outputs)}
    tagged = {i for i, c in code if _tagged(c)}
    assert tagged, f"{name}: no cell is tagged {PLOT_TAG!r}, yet every notebook draws"
    assert not tagged - drew, (f"{name}: cells {sorted(tagged - drew)} are tagged {PLOT_TAG!r} but "
                               "show no image")
    assert not drew - tagged, (f"{name}: cells {sorted(drew - tagged)} show an image; tag them "
                               f"{PLOT_TAG!r} so the test keeps checking that they do")
    undrawn = [i for i, c in code for o in c.outputs
               if UNDRAWN in str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
               and "image/png" not in o.get("data", {})]
    assert not undrawn, (f"{name}: cells {undrawn} print {UNDRAWN}...> instead of drawing it: "
                         "show the figure with display(fig) after %matplotlib inline")


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
def test_every_cell_that_calls_a_plot_is_tagged_plot(path):
    """The tag is what the executed test checks, so a new plotting cell must not go without it."""
    nbformat = _require("nbformat")
    cells = nbformat.read(path, as_version=4).cells
    untagged = [i for i, c in enumerate(cells) if c.cell_type == "code"
                and re.search(r"\.plot\(|\bplot_\w*\(", c.source) and not _tagged(c)]
    assert not untagged, f"{path.name}: cells {untagged} call a plot but are not tagged {PLOT_TAG!r}"


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


def test_sliders_run_the_function_again_only_when_a_control_moves(capsys):
    """The notebooks' sliders: nothing runs when they are built (the notebook has drawn its first
    picture itself), each move runs the function with every control's value, and a value the lab
    refuses prints its sentence instead of a traceback."""
    widgets = _require("ipywidgets")
    from dslab.errors import InputError
    from dslab.sliders import sliders

    calls = []

    def draw(vnodes, scheme):
        calls.append((vnodes, scheme))
        if vnodes == 3:
            raise InputError("Three points per node are refused.", hint="Try four.")

    vnodes = widgets.IntSlider(value=8, min=1, max=16)
    scheme = widgets.Dropdown(options=["ring", "jump"], value="ring")
    panel = sliders(draw, 7, vnodes=vnodes, scheme=scheme)
    assert calls == []
    vnodes.value = 16
    scheme.value = "jump"
    assert calls == [(16, "ring"), (16, "jump")]
    assert vnodes.continuous_update is False, "a dragged slider would start a run at every pixel"
    row, _area = panel.children
    assert [w.value for w in row.children[-1:]] == ["seed 7: each move re-runs this seed"]
    vnodes.value = 3
    assert "Three points per node are refused.\nTry four." in capsys.readouterr().out
    with pytest.raises(InputError, match="at least one control"):
        sliders(draw, 7)
