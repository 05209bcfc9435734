"""dslab: distributed-systems ideas you can run, break, measure against theory, and implement.

The public API::

    import dslab
    lab = dslab.get_lab("raft")
    run = lab.start(lab.make_params("partition"), seed=1)
    run.run_until(2500); run.state()
    result = run.finish().result()

``get_lab``, ``all_labs``, ``Result`` and ``InputError`` are imported on first use, so
``import dslab`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["InputError", "Result", "all_labs", "get_lab"]

if TYPE_CHECKING:
    from dslab.errors import InputError
    from dslab.labs import all_labs, get_lab
    from dslab.result import Result

_HOMES = {"get_lab": "dslab.labs", "all_labs": "dslab.labs", "Result": "dslab.result",
          "InputError": "dslab.errors"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'dslab' has no attribute {name!r}")
