"""Redraw the README's gallery: each lab's gallery scenario at seed 1, saved as docs/img/<lab>.png.

    python docs/gallery.py          # every lab
    python docs/gallery.py raft     # one lab

With raft, docs/img/raft-prevote.png too: the rejoin scenario without and with PreVote.
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
        if lab.name == "raft":
            from dslab.labs.raft.plot import pre_vote_figure

            pre_vote_figure(1).savefig(IMG / "raft-prevote.png")
            print("docs/img/raft-prevote.png: raft --rejoin, pre_vote false and true (seed 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
