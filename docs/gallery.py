"""Redraw the README's gallery: each lab's gallery scenario at seed 1, saved as docs/img/<lab>.png,
and the README's phase diagram (the sweep of PHASE) as docs/img/phase-retries.png.

    python docs/gallery.py          # every lab, and the phase diagram
    python docs/gallery.py raft     # one lab
    python docs/gallery.py phase    # the phase diagram alone (about a minute on two cores)

With raft, docs/img/raft-prevote.png too: the rejoin scenario without and with PreVote.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dslab.labs import all_labs

IMG = Path(__file__).resolve().parent / "img"

#: the README's phase diagram, the same run as its command: dslab sweep retries --metastable
#: --set trigger_size=5 --set duration_ms=20000 --grid arrival_rate_per_s=150,...,450
#: --grid retries=0,1,2,3 --trials 10 --metric recovered
PHASE_SET = {"trigger_size": "5", "duration_ms": "20000"}
PHASE_GRID = [("arrival_rate_per_s", ["150", "200", "250", "300", "350", "400", "450"]),
              ("retries", ["0", "1", "2", "3"])]


def phase() -> None:
    from dslab import sweep
    from dslab.labs import get_lab

    lab = get_lab("retries")
    sw = sweep.sweep(lab, "metastable", PHASE_GRID, "recovered", trials=10, seed=1,
                     overrides=PHASE_SET)
    path = IMG / "phase-retries.png"
    sweep.plot(lab, sw).savefig(path)
    print(f"{path.relative_to(IMG.parents[1])}: the retries phase diagram")


def main(names: list[str]) -> int:
    if not names or "phase" in names:
        phase()
    for lab in all_labs():
        if names and lab.name not in names or names == ["phase"]:
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
