"""The LSM lab at size: a million writes through leveled compaction, in a fresh process.

    python benchmarks/lsm_at_size.py           # 1,000,000 writes (100 MB of 100-byte entries)
    python benchmarks/lsm_at_size.py --quick   # 200,000 writes

The run is ``dslab run lsm --set written_mb=100 --set keys=400000`` through ``LAB.run`` in a
child process, which reports its CPU time (``time.process_time``, start-up left out), wall time
and peak resident memory (``ru_maxrss``) as JSON. Every check of the run must hold, or the
script exits 1. Printed, never asserted: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

TARGET_S = 5.0  # "a million writes through leveled within a few seconds"

CHILD = """
import json, resource, sys, time
from dslab.labs.lsm.lab import LAB
params = LAB.make_params("default", {"written_mb": sys.argv[1], "keys": sys.argv[2]})
cpu, wall = time.process_time(), time.perf_counter()
r = LAB.run(params, 1)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"cpu_s": cpu, "wall_s": wall, "ok": r.ok,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "writes": params.writes(), "wa": r.metrics["write_amplification"],
                  "levels": r.metrics["levels"]}))
"""


def at_size(written_mb: float, keys: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(written_mb), str(keys)],
                         capture_output=True, text=True, check=True, env=dict(os.environ))
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200,000 writes")
    args = ap.parse_args(argv)
    written, keys = (20.0, 80_000) if args.quick else (100.0, 400_000)
    m = at_size(written, keys)
    print(f"- {m['writes']:,} writes through leveled ({keys:,} keys): {m['cpu_s']:.2f} s of CPU, "
          f"{m['wall_s']:.2f} s wall, peak memory {m['maxrss_mb']:.0f} MB; write amplification "
          f"{m['wa']:.1f} over {m['levels']} levels; checks {'held' if m['ok'] else 'BROKE'}")
    return 0 if m["ok"] and m["cpu_s"] <= TARGET_S * (0.2 if args.quick else 1) else 1


if __name__ == "__main__":
    sys.exit(main())
