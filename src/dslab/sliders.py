"""Sliders for the notebooks: run a lab again, with the same seed, each time a control moves.

A notebook writes what one setting shows as a plain function, calls it once itself (so the
picture is there when the notebook is read, or executed without a browser as the tests do), and
hands it to :func:`sliders` with one ipywidgets control per argument.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dslab.errors import InputError


def sliders(draw: Callable[..., object], seed: int, **controls: Any) -> Any:
    """A row of ``controls`` (ipywidgets, named like ``draw``'s arguments) and, under it, an area
    where ``draw(**values)`` runs again each time a control is let go. ``draw`` shows what it
    makes itself (``display``, ``print``).

    Nothing runs until a control moves: the picture the notebook drew first stays above, a
    baseline to compare with. ``seed`` is shown beside the controls; ``draw`` uses it each time,
    so a difference between two pictures comes from the controls, not from chance. A value the
    lab refuses shows its sentence in the area, not a traceback.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        raise InputError("The notebook's sliders need ipywidgets, which is not installed.",
                         hint='pip install -e ".[notebooks]"') from None
    if not controls:
        raise InputError("sliders() needs at least one control, e.g. vnodes=IntSlider(8, 1, 256).")
    area = widgets.Output()

    def redraw(_change: object) -> None:
        with area:
            area.clear_output(wait=True)
            try:
                draw(**{name: control.value for name, control in controls.items()})
            except InputError as e:
                print(str(e) + (f"\n{e.hint}" if e.hint else ""))

    for control in controls.values():
        if hasattr(control, "continuous_update"):
            control.continuous_update = False  # run when the slider is let go, not while dragged
        if hasattr(getattr(control, "style", None), "description_width"):
            control.style.description_width = "initial"  # the whole label, not its first letters
        control.observe(redraw, names="value")
    note = widgets.Label(f"seed {seed}: each move re-runs this seed")
    return widgets.VBox([widgets.HBox([*controls.values(), note]), area])
