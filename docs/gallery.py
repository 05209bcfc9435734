"""Redraw the README's gallery: each lab's gallery scenario at seed 1, saved as docs/img/<lab>.png.

    python docs/gallery.py          # every lab
    python docs/gallery.py raft     # one lab
"""

from __future__ import annotations

import sys
from pathlib import Path

from dslab.labs import all_labs

IMG = Path(__file__).resolve().parent / "img"


def main(names: list[str]) -> int:
    for lab in all_labs():
        if names and lab.name not in names:
            continue
        result = lab.run(lab.make_params(lab.gallery), 1, scenario=lab.gallery)
        path = IMG / f"{lab.name}.png"
        lab.plot(result).savefig(path)
        print(f"{path.relative_to(IMG.parents[1])}: {lab.name} --{lab.gallery} (seed 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
